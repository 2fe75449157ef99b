import EventStore
import NIOConcurrencyHelpers

/// Why an ingest request was refused; the label of `tacho_ingest_errors_total`.
public enum IngestErrorReason: String, Sendable, CaseIterable {
    case malformed
    case unauthorized
    case tooLarge = "too_large"
    case diskFull = "disk_full"
    case appendFailed = "append_failed"
    /// A follower refused a write (409).
    case notLeader = "not_leader"
    /// Appended locally, but JetStream did not acknowledge within the ack timeout (503).
    case notReplicated = "not_replicated"
}

/// The engine's own counters, shared by the writer, ingest and the SSE broadcaster,
/// and written to `/metrics`. Updates take a short lock: they happen per batch or per
/// request, never per event. The lock is NIO's pthread mutex, not `Mutex`: event-loop
/// threads contend for it on every connection, and ThreadSanitizer cannot see a
/// contended `Synchronization.Mutex` (RELIABILITY.md, tools/tsan-repro MutexSlowPath).
public final class EngineMetrics: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var eventsAppended: UInt64 = 0
        public var bytesAppended: UInt64 = 0
        public var batchesWritten: UInt64 = 0
        public var fsyncs: UInt64 = 0
        public var compactions: UInt64 = 0
        public var ingestRequests: UInt64 = 0
        public var ingestErrors: [IngestErrorReason: UInt64] = [:]
        public var sseClients: Int = 0
        public var sseLaggedDisconnects: UInt64 = 0
        public var stalledConnectionsClosed: UInt64 = 0
        public var connectionsOpen: Int = 0
        public var connectionsRefused: UInt64 = 0
        public var connectionsTimedOut: [ConnectionWait: UInt64] = [:]
        /// Event time of the newest checkpoint written, nil before the first.
        public var lastCheckpointTimeNs: Int64?
    }

    private let state = NIOLockedValueBox(Snapshot())
    /// Requests, events and refusals of each foreign format (remote-write, Influx, ...).
    public let formats = IngestFormatMetrics()

    public init() {}

    public func snapshot() -> Snapshot { state.withLockedValue { $0 } }

    public func recordAppend(events: Int, bytes: Int) {
        precondition(events >= 0 && bytes >= 0, "appended counts are non-negative")
        state.withLockedValue {
            $0.eventsAppended += UInt64(events)
            $0.bytesAppended += UInt64(bytes)
        }
    }

    public func recordBatchWritten(count: Int = 1) { state.withLockedValue { $0.batchesWritten += UInt64(count) } }
    public func recordFsync() { state.withLockedValue { $0.fsyncs += 1 } }
    public func recordCompaction() { state.withLockedValue { $0.compactions += 1 } }
    public func recordIngestRequest() { state.withLockedValue { $0.ingestRequests += 1 } }
    public func recordIngestError(_ reason: IngestErrorReason) { state.withLockedValue { $0.ingestErrors[reason, default: 0] += 1 } }
    public func recordCheckpoint(timeNs: Int64) { state.withLockedValue { $0.lastCheckpointTimeNs = timeNs } }
    public func recordSSELaggedDisconnect() { state.withLockedValue { $0.sseLaggedDisconnects += 1 } }
    public func recordStalledConnectionClosed() { state.withLockedValue { $0.stalledConnectionsClosed += 1 } }
    public func recordConnectionRefused() { state.withLockedValue { $0.connectionsRefused += 1 } }
    public func recordConnectionTimedOut(_ wait: ConnectionWait) { state.withLockedValue { $0.connectionsTimedOut[wait, default: 0] += 1 } }
    public func connectionOpened() { state.withLockedValue { $0.connectionsOpen += 1 } }

    public func connectionClosed() {
        state.withLockedValue {
            precondition($0.connectionsOpen > 0, "more connections closed than opened")
            $0.connectionsOpen -= 1
        }
    }

    public func sseClientConnected() { state.withLockedValue { $0.sseClients += 1 } }

    public func sseClientDisconnected() {
        state.withLockedValue {
            precondition($0.sseClients > 0, "more SSE disconnects than connects")
            $0.sseClients -= 1
        }
    }

    /// Writes the engine's families. `nowNs` gives the checkpoint age.
    public func write(to exposition: inout PrometheusExposition, nowNs: Int64) {
        let s = snapshot()
        exposition.counter("tacho_events_appended_total", help: "Events appended to the log.", value: Double(s.eventsAppended))
        exposition.counter("tacho_bytes_appended_total", help: "Bytes of batches written to the log.", value: Double(s.bytesAppended))
        exposition.counter("tacho_batches_written_total", help: "Batches written to the log.", value: Double(s.batchesWritten))
        exposition.counter("tacho_fsyncs_total", help: "fsync calls on log segments.", value: Double(s.fsyncs))
        exposition.counter("tacho_compactions_total", help: "Sealed segments re-packed into large batches by at-rest compaction.", value: Double(s.compactions))
        exposition.counter("tacho_ingest_requests_total", help: "Ingest requests received.", value: Double(s.ingestRequests))
        exposition.counter(
            "tacho_ingest_errors_total", help: "Ingest requests refused, by reason.",
            IngestErrorReason.allCases.map { .init(labels: [("reason", $0.rawValue)], value: Double(s.ingestErrors[$0] ?? 0)) })
        exposition.gauge("tacho_sse_clients", help: "Connected live-stream clients.", value: Double(s.sseClients))
        exposition.counter(
            "tacho_sse_lagged_disconnects_total", help: "Live-stream clients cut off for falling behind.",
            value: Double(s.sseLaggedDisconnects))
        exposition.counter(
            "tacho_stalled_connections_closed_total", help: "Connections closed because the peer stopped reading (writes stalled past the timeout).",
            value: Double(s.stalledConnectionsClosed))
        exposition.gauge("tacho_connections_open", help: "HTTP connections open (admitted by --connections-max).", value: Double(s.connectionsOpen))
        exposition.counter(
            "tacho_connections_refused_total", help: "Connections answered 503 and closed because --connections-max were open.",
            value: Double(s.connectionsRefused))
        exposition.counter(
            "tacho_connections_timed_out_total",
            help: "Connections closed for keeping the server waiting, by what it waited for (head, idle keep-alive, body).",
            ConnectionWait.allCases.map { .init(labels: [("wait", $0.rawValue)], value: Double(s.connectionsTimedOut[$0] ?? 0)) })
        formats.write(to: &exposition)
        if let checkpointNs = s.lastCheckpointTimeNs {
            exposition.gauge(
                "tacho_checkpoint_age_seconds", help: "Seconds since the newest checkpoint was written.",
                value: Double(max(0, nowNs - checkpointNs)) / 1e9)
        }
    }
}

/// The log's own account of its work (every writer: ingest, alerts, the collector,
/// the demo, a replica's frames) becomes the engine's counters.
extension EngineMetrics: LogObserver {
    public func wrote(events: Int, batches: Int, bytes: Int) {
        recordAppend(events: events, bytes: bytes)
        recordBatchWritten(count: batches)
    }

    public func synced() { recordFsync() }

    public func compacted() { recordCompaction() }
}
