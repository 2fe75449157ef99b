import EventStore
import NIOCore
import Projections
import PromQL
import Replication

/// Everything `tacho serve` is configured with, and the limits it enforces, checked
/// together at start-up by `validate()`.
public struct ServerOptions: Sendable, Equatable {
    /// How often appended data is made durable; the log's `FsyncPolicy` in the
    /// command line's words.
    public enum Fsync: Sendable, Equatable {
        case always
        case interval(milliseconds: Int)
        case never

        /// `always`, `interval` (every second), `interval:250ms` style is not accepted;
        /// `never`.
        public init?(argument: String) {
            switch argument.lowercased() {
            case "always": self = .always
            case "interval": self = .interval(milliseconds: 1000)
            case "never": self = .never
            default: return nil
            }
        }
    }

    public static let environmentTokenName = "TACHO_TOKEN"

    public var host = "127.0.0.1"
    public var port = 8080
    public var dataDirectory = "./.tacho"
    /// Bearer token for writes; nil leaves writes open.
    public var token: String?
    public var fsync = Fsync.interval(milliseconds: 1000)
    /// Segments whose newest event is older than this, measured back from the log's
    /// newest event time, are deleted; nil keeps everything.
    public var retentionSeconds: Int64? = 7 * 24 * 3600
    /// Whether the operator named the retention (`--retention`): only then may a
    /// server open a directory whose existing data that retention would delete.
    public var retentionExplicit = false
    /// Events stamped more than this ahead of the server's clock are refused.
    public var maxFutureMs: Int64 = EventTimeBounds.maxFutureNsDefault / 1_000_000
    /// Segments beyond this total are deleted, oldest first; nil for no size bound.
    public var retentionBytesMax: UInt64?
    /// Bytes of decoded metric samples kept for queries (`DecodedSampleCache`); 0 keeps none.
    public var queryCacheBytes = DecodedSampleCache.capacityBytesDefault
    public var collectIntervalMs = 1000
    /// Whether the host collector runs (the demo workload simulates vitals instead).
    public var collectsHostVitals = true
    public var demo = false
    public var demoSeed: UInt64 = 1
    public var bodyBytesMax = 16 * 1024 * 1024
    public var sseClientMessagesMax = 1024
    public var sseClientBytesMax = 4 * 1024 * 1024
    public var sseClientsMax = 2000
    public var sseKeepAliveMs = 15_000
    public var sseRetryMs = 3000
    /// A connection whose peer reads nothing while the server has output waiting this
    /// long is closed (see StalledWriteHandler).
    public var stalledWriteTimeoutMs = 30_000
    /// Open HTTP connections beyond which new ones get 503 and are closed; lowered at
    /// start to what the open-file limit allows (see `fitToOpenFileLimit`).
    public var connectionsMax = 8192
    /// A new connection must send a complete request head within this.
    public var requestHeadTimeoutMs = 10_000
    /// A kept-alive connection may wait this long between a response and the next head.
    public var idleTimeoutMs = 60_000
    /// A request body must end within this of its head.
    public var requestBodyTimeoutMs = 60_000
    /// `--shutdown-timeout`: how long a graceful stop (SIGTERM, SIGINT) may take before
    /// what is left is cancelled. It covers the last checkpoint of the views, which on
    /// a large state or a slow disk takes seconds; a stop that runs out of it writes no
    /// final checkpoint (the next start replays more), and one whose cancellation takes
    /// longer than `TachoApp.cancellationMaxMs` more is ended by ServiceLifecycle.
    /// Below systemd's and Kubernetes' own stop timeouts (90 s and 30 s) by default.
    public var shutdownTimeoutMs = 25_000
    /// `--checkpoint-interval`: a checkpoint of the views at least this often while
    /// events are folded (one every 1,000,000 events besides).
    public var checkpointIntervalMs = 60_000
    /// `--memory-release-interval`: how often the memory the server freed is handed
    /// back to the system (`FreedMemoryReleaser`); 0 never does.
    public var memoryReleaseIntervalMs = 10_000
    /// `--scrape`: URLs whose Prometheus text exposition is pulled into the log; empty
    /// runs no scraper.
    public var scrapeTargets: [String] = []
    public var scrapeIntervalMs = 15_000
    public var scrapeTimeoutMs = 10_000
    /// The `job` label of scraped series.
    public var scrapeJob = "scrape"
    /// `--statsd-port`: the UDP port StatsD lines are received on (on `host`); nil for none.
    public var statsdPort: Int?
    /// `--replicate` (a leader publishing to JetStream) or `--follow` (a read-only
    /// follower of a stream); nil stands alone.
    public var replication: ReplicationRole?
    /// `--rules` with a Prometheus rule file: alerting-rule groups evaluated live.
    public var prometheusRules: [AlertingRuleGroup] = []
    /// `--rules` with Tacho's JSON rules: they replace the built-in rules; nil keeps those.
    public var rules: RuleSet?

    public init() {}

    /// The token from `--token`, else from `TACHO_TOKEN`; empty means none.
    public static func resolveToken(flag: String?, environment: [String: String]) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let fromEnvironment = environment[environmentTokenName], !fromEnvironment.isEmpty { return fromEnvironment }
        return nil
    }

    public var eventTimeBounds: EventTimeBounds {
        EventTimeBounds(maxFutureNs: maxFutureMs * 1_000_000, retentionNs: retentionSeconds.map { $0 * EventTime.nanosPerSecond })
    }

    public var requestDeadlines: RequestDeadlines {
        RequestDeadlines(idleMs: idleTimeoutMs, bodyMs: requestBodyTimeoutMs)
    }

    /// Lowers `connectionsMax` to what `softLimit` open files hold beside the server's
    /// own descriptors and stream clients; the warning says so, nil when it fits.
    public mutating func fitToOpenFileLimit(softLimit: UInt64) -> String? {
        let fitting = OpenFileLimit.connectionsFitting(soft: softLimit)
        guard connectionsMax > fitting else { return nil }
        let wanted = connectionsMax
        connectionsMax = max(1, fitting)
        if sseClientsMax > connectionsMax { sseClientsMax = connectionsMax }
        return "the open-file limit is \(softLimit) (raise LimitNOFILE or `ulimit -n`): --connections-max lowered from "
            + "\(wanted) to \(connectionsMax), keeping \(OpenFileLimit.reservedDescriptors) descriptors for the log and the server"
    }

    public var sseBufferLimits: SSEBufferLimits {
        SSEBufferLimits(messagesMax: sseClientMessagesMax, bytesMax: sseClientBytesMax)
    }

    /// Every problem at once, so an operator fixes them in one go.
    public func validate() throws(ServerOptionsError) {
        var problems: [String] = []
        func check(_ condition: Bool, _ problem: @autoclosure () -> String) {
            if !condition { problems.append(problem()) }
        }
        check(!host.isEmpty, "--host must not be empty")
        check((0...65535).contains(port), "--port \(port) is not within 0...65535 (0 asks the system for a free port)")
        check(!dataDirectory.isEmpty, "--data must not be empty")
        if case .interval(let milliseconds) = fsync {
            check((1...60_000).contains(milliseconds), "fsync interval \(milliseconds) ms is not within 1...60000")
        }
        if let retentionSeconds { check(retentionSeconds >= 60, "--retention \(retentionSeconds) s is under the minimum of 60 s") }
        check((0...(1 << 40)).contains(queryCacheBytes), "query cache of \(queryCacheBytes) bytes is not within 0...1 TiB")
        if let retentionBytesMax { check(retentionBytesMax >= 1 << 20, "retention size \(retentionBytesMax) bytes is under the minimum of 1 MiB") }
        check((10...3_600_000).contains(collectIntervalMs), "--collect-interval \(collectIntervalMs) ms is not within 10...3600000")
        check((1024...(1 << 30)).contains(bodyBytesMax), "body limit \(bodyBytesMax) bytes is not within 1 KiB...1 GiB")
        check((1...1_000_000).contains(sseClientMessagesMax), "SSE buffer of \(sseClientMessagesMax) messages is not within 1...1000000")
        check((4096...(256 << 20)).contains(sseClientBytesMax), "SSE buffer of \(sseClientBytesMax) bytes is not within 4 KiB...256 MiB")
        check((1...100_000).contains(sseClientsMax), "SSE client limit \(sseClientsMax) is not within 1...100000")
        check((100...600_000).contains(sseKeepAliveMs), "SSE keep-alive \(sseKeepAliveMs) ms is not within 100...600000")
        check((0...600_000).contains(sseRetryMs), "SSE retry hint \(sseRetryMs) ms is not within 0...600000")
        check((0...(30 * 86_400_000)).contains(maxFutureMs), "--max-future \(maxFutureMs) ms is not within 0...30d")
        check((1...1_000_000).contains(connectionsMax), "--connections-max \(connectionsMax) is not within 1...1000000")
        check(sseClientsMax <= connectionsMax, "--sse-clients-max \(sseClientsMax) exceeds --connections-max \(connectionsMax): every stream client is a connection")
        check((100...600_000).contains(requestHeadTimeoutMs), "--request-head-timeout \(requestHeadTimeoutMs) ms is not within 100...600000")
        check((100...3_600_000).contains(idleTimeoutMs), "--idle-timeout \(idleTimeoutMs) ms is not within 100...3600000")
        check((100...3_600_000).contains(requestBodyTimeoutMs), "--request-body-timeout \(requestBodyTimeoutMs) ms is not within 100...3600000")
        check((100...600_000).contains(stalledWriteTimeoutMs), "stalled-write timeout \(stalledWriteTimeoutMs) ms is not within 100...600000")
        check((100...600_000).contains(shutdownTimeoutMs), "--shutdown-timeout \(shutdownTimeoutMs) ms is not within 100...600000")
        check((100...86_400_000).contains(checkpointIntervalMs), "--checkpoint-interval \(checkpointIntervalMs) ms is not within 100...86400000")
        check(memoryReleaseIntervalMs == 0 || (100...86_400_000).contains(memoryReleaseIntervalMs), "--memory-release-interval \(memoryReleaseIntervalMs) ms is neither 0 nor within 100...86400000")
        for target in scrapeTargets {
            check(ScrapeTarget(url: target) != nil, "--scrape '\(target)' is not an http:// or https:// URL")
        }
        check((100...3_600_000).contains(scrapeIntervalMs), "--scrape-interval \(scrapeIntervalMs) ms is not within 100...3600000")
        check((10...scrapeIntervalMs).contains(scrapeTimeoutMs), "--scrape-timeout \(scrapeTimeoutMs) ms is not within 10 ms...the scrape interval")
        if let statsdPort { check((0...65535).contains(statsdPort), "--statsd-port \(statsdPort) is not within 0...65535") }
        check(!scrapeJob.isEmpty && scrapeJob.utf8.count <= 256, "--scrape-job must be 1...256 bytes")
        if let replication {
            if let problem = replication.options.problem() { problems.append(problem) }
            if case .follower = replication {
                // A follower's log is the leader's: anything writing locally would fork it.
                check(!demo, "--demo writes events; a follower (--follow) takes its events from the leader only")
                check(!collectsHostVitals, "host vitals are written to the log; a follower (--follow) runs with --no-collect")
                check(scrapeTargets.isEmpty, "--scrape writes events; scrape on the leader, not on a follower (--follow)")
                check(statsdPort == nil, "--statsd-port writes events; receive StatsD on the leader, not on a follower (--follow)")
                check(prometheusRules.isEmpty && rules == nil, "--rules appends alerts; evaluate rules on the leader, not on a follower (--follow)")
            }
        }
        // The whole SSE fan-out must fit the machine: every client's buffer full at once.
        let worstCaseBytes = UInt64(sseClientsMax) * UInt64(sseClientBytesMax)
        check(worstCaseBytes <= 8 << 30, "SSE clients × buffer bytes = \(worstCaseBytes) exceeds 8 GiB; lower one of them")
        if !problems.isEmpty { throw ServerOptionsError(problems: problems) }
    }
}

public struct ServerOptionsError: Error, Sendable, Equatable, CustomStringConvertible {
    public let problems: [String]

    public var description: String {
        "invalid server options: " + problems.joined(separator: "; ")
    }
}

extension ServerOptions {
    /// The per-connection bounds every server mode installs while a connection speaks
    /// HTTP: the request deadlines and the stalled-write guard, counted in `metrics`
    /// when the mode has them; then the PromQL queries answered on the connection
    /// (`PromQueryHandler`), when the mode serves them. Called once per connection
    /// (handlers are not shared).
    func connectionHandlers(metrics: EngineMetrics?, queries: PromQueries?) -> [any RemovableChannelHandler] {
        var handlers: [any RemovableChannelHandler] = [
            RequestDeadlineHandler(deadlines: requestDeadlines) { metrics?.recordConnectionTimedOut($0) },
            StalledWriteHandler(timeoutMs: Int64(stalledWriteTimeoutMs)) { metrics?.recordStalledConnectionClosed() },
        ]
        // After the deadlines: they see its requests and responses as the router's.
        if let queries { handlers.append(PromQueryHandler(queries: queries, serverName: Self.serverName)) }
        return handlers
    }

    /// The `Server` header of every response.
    static let serverName = "tacho"
}
