import AsyncHTTPClient
import EventStore
import Foundation
import NIOCore

/// Where a `TachoMetricsFactory` writes its events.
///
/// `write` is called by one flusher at a time, with events in time order per handler.
/// When it fails after writing part of them it says how many (`TachoSinkError.written`):
/// the factory keeps only the rest, so nothing is written twice.
public protocol TachoMetricsSink: Sendable {
    func write(_ events: [Event]) async throws(TachoSinkError)
}

public struct TachoSinkError: Error, Sendable, CustomStringConvertible {
    /// Events of the call that were written before the failure.
    public let written: Int
    public let reason: String

    public init(written: Int, reason: String) {
        self.written = written
        self.reason = reason
    }

    public var description: String { "\(reason) (\(written) events written before it)" }
}

/// Posts events as NDJSON to a Tacho server's `POST /api/v1/events`, in batches of at
/// most `batchEventsMax`, with the bearer token, each bounded by `timeout`.
public struct TachoRemoteSink: TachoMetricsSink {
    public let url: String
    public let token: String?
    public let batchEventsMax: Int
    public let timeout: Duration

    /// `server`: the base URL (`http://tacho:8080`).
    public init(server: String, token: String? = nil, batchEventsMax: Int = 5000, timeout: Duration = .seconds(10)) {
        precondition(batchEventsMax > 0, "a batch holds at least one event")
        self.url = (server.hasSuffix("/") ? String(server.dropLast()) : server) + "/api/v1/events"
        self.token = token
        self.batchEventsMax = batchEventsMax
        self.timeout = timeout
    }

    public func write(_ events: [Event]) async throws(TachoSinkError) {
        var written = 0
        let encoder = EventJSONEncoder()
        while written < events.count {
            let batch = events[written..<min(events.count, written + batchEventsMax)]
            var writer = JSONWriter(reservingCapacity: batch.count * 128)
            var body = ByteBuffer()
            for event in batch {
                encoder.write(event, to: &writer)
                body.writeBytes(writer.bytes)
                body.writeInteger(UInt8(ascii: "\n"))
                writer = JSONWriter(reservingCapacity: 128)
            }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/x-ndjson")
            if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
            request.body = .bytes(body)
            do {
                let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(milliseconds))
                let answer = try await response.body.collect(upTo: 64 * 1024)
                guard response.status == .ok else {
                    throw TachoSinkError(written: written, reason: "HTTP \(response.status.code): \(String(buffer: answer).prefix(300))")
                }
            } catch let error as TachoSinkError {
                throw error
            } catch {
                throw TachoSinkError(written: written, reason: "\(error)")
            }
            written += batch.count
        }
    }
}

/// Appends events to a local data directory through EventStore: a flight recorder inside
/// the application, readable by `tacho serve --data`, `replay` and `analyze`.
public final class TachoEmbeddedSink: TachoMetricsSink {
    public let log: EventLog

    /// Opens (creating when absent) the data directory `path`.
    public init(dataDirectory path: String, options: LogOptions = LogOptions()) throws {
        self.log = try EventLog.open(directory: path, options: options)
    }

    /// Appends to a log the application already has open, such as the one of a Tacho
    /// server it runs in-process (`TachoApp.engine.log`): its dashboard shows the metrics.
    public init(log: EventLog) {
        self.log = log
    }

    public func write(_ events: [Event]) async throws(TachoSinkError) {
        guard !events.isEmpty else { return }
        do { _ = try await log.append(events) } catch { throw TachoSinkError(written: 0, reason: "append failed: \(error)") }
    }

    /// Flushes and closes the log.
    public func close() async throws {
        try await log.close()
    }
}
