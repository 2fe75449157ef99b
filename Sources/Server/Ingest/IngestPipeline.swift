import EventStore
import Hummingbird
import Logging

/// What every write endpoint shares, whatever its format: the bearer token, the body
/// limit, one append path (the engine's, the same for the native JSON ingest and every
/// foreign format) with its error mapping, and the counters.
///
/// A request is refused whole or appended whole: the format's decoder turns the entire
/// body into events first (throwing `IngestInputError` for anything malformed), and
/// only then is the one `append` called.
public struct IngestPipeline: Sendable {
    public typealias Append = @Sendable ([Event]) async throws -> ClosedRange<UInt64>

    /// Events decoded from one request, and the samples the format's mapping left out.
    public struct Decoded: Sendable {
        public var events: [Event]
        public var skipped: [IngestSkipReason: Int]

        public init(events: [Event], skipped: [IngestSkipReason: Int] = [:]) {
            self.events = events
            self.skipped = skipped
        }
    }

    public let bodyBytesMax: Int
    private let append: Append
    private let token: BearerToken?
    let metrics: EngineMetrics?
    let nowNs: @Sendable () -> Int64
    /// The event times accepted at a server time (`TachoApp.acceptedEventTimes`, the
    /// bounds of DESIGN.md's "Event time"): an event outside refuses its request.
    let acceptedTimes: @Sendable (Int64) -> EventTimeBounds.Accepted

    public init(
        append: @escaping Append, bodyBytesMax: Int, token: String?, metrics: EngineMetrics?,
        nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() },
        acceptedTimes: @escaping @Sendable (Int64) -> EventTimeBounds.Accepted = { _ in .unbounded }
    ) {
        precondition(bodyBytesMax > 0, "the body limit must be positive")
        self.append = append
        self.bodyBytesMax = bodyBytesMax
        self.token = BearerToken(token)
        self.metrics = metrics
        self.nowNs = nowNs
        self.acceptedTimes = acceptedTimes
    }

    /// Runs one write request: counts it, checks the token, reads the body within the
    /// limit, decodes it whole with `decode` (given the body and the receive time for
    /// events without their own), and appends all of it or nothing. Returns the offsets
    /// assigned, nil when the request held no events (nothing to append, not an error).
    /// Refusals are thrown as `APIError`s (401, 400, 413, 507, 500) and counted under
    /// `format` (nil for the native format, counted only in the engine's totals).
    /// `decode` also gets the accepted event times: a decoder that can name the line of
    /// an event outside them refuses it itself; any left are refused here by series.
    public func accept(
        _ request: Request, logger: Logger, format: IngestFormat?,
        decode: (ByteBuffer, Int64, EventTimeBounds.Accepted) throws(IngestInputError) -> Decoded
    ) async throws(APIError) -> (offsets: ClosedRange<UInt64>?, count: Int) {
        metrics?.recordIngestRequest()
        if let format { metrics?.formats.recordRequest(format) }
        do throws(IngestFailure) {
            try authorize(request)
            let body = try await collectBody(request)
            let receivedNs = nowNs()
            let accepted = acceptedTimes(receivedNs)
            let decoded: Decoded
            do throws(IngestInputError) {
                decoded = try decode(body, receivedNs, accepted)
                try Self.checkTimes(decoded.events, accepted: accepted)
            } catch { throw IngestFailure(.malformed, error.apiError) }
            let offsets = try await appendAll(decoded.events, logger: logger)
            if let format { metrics?.formats.recordAccepted(format, events: decoded.events.count, skipped: decoded.skipped) }
            return (offsets, decoded.events.count)
        } catch {
            metrics?.recordIngestError(error.reason)
            if let format { metrics?.formats.recordError(format, error.reason) }
            throw error.apiError
        }
    }

    /// Appends events that did not come in a request (the scraper's), counted under
    /// `format`; nil when `decoded` holds no events.
    public func appendCollected(_ decoded: Decoded, format: IngestFormat, logger: Logger) async throws(APIError) -> ClosedRange<UInt64>? {
        metrics?.formats.recordRequest(format)
        do throws(IngestFailure) {
            do throws(IngestInputError) {
                try Self.checkTimes(decoded.events, accepted: acceptedTimes(nowNs()))
            } catch { throw IngestFailure(.malformed, error.apiError) }
            let offsets = try await appendAll(decoded.events, logger: logger)
            metrics?.formats.recordAccepted(format, events: decoded.events.count, skipped: decoded.skipped)
            return offsets
        } catch {
            metrics?.formats.recordError(format, error.reason)
            throw error.apiError
        }
    }

    /// Refuses the events whole when one is outside the accepted times, naming it.
    static func checkTimes(_ events: [Event], accepted: EventTimeBounds.Accepted) throws(IngestInputError) {
        guard let index = events.firstIndex(where: { !accepted.contains($0.timeNs) }) else { return }
        let event = events[index]
        let what: String = if case .metric(let sample) = event.body { "sample of \(sample.series)" } else { "\(event.type.name) event" }
        throw IngestInputError("\(what) (event \(index + 1) of \(events.count)), field 'ts': \(accepted.problem(event.timeNs) ?? "out of bounds")")
    }

    private func authorize(_ request: Request) throws(IngestFailure) {
        guard let token, !token.accepts(authorization: request.headers[.authorization]) else { return }
        throw IngestFailure(.unauthorized, .unauthorized(
            request.headers[.authorization] == nil
                ? "this server requires 'Authorization: Bearer <token>' for writes"
                : "the bearer token does not match the server's"))
    }

    /// Reads the body up to the limit; a declared or actual size over it is refused
    /// before more is buffered.
    private func collectBody(_ request: Request) async throws(IngestFailure) -> ByteBuffer {
        let tooLarge = IngestFailure(.tooLarge, APIError(
            .contentTooLarge, error: "body too large",
            detail: "request bodies are limited to \(bodyBytesMax) bytes; send the events in smaller requests"))
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > bodyBytesMax { throw tooLarge }
        var collected = ByteBuffer()
        do {
            for try await part in request.body {
                guard collected.readableBytes + part.readableBytes <= bodyBytesMax else { throw tooLarge }
                var part = part
                collected.writeBuffer(&part)
            }
        } catch let failure as IngestFailure {
            throw failure
        } catch {
            throw IngestFailure(.malformed, .badRequest("the request body could not be read: \(error)"))
        }
        return collected
    }

    /// The one append of every ingest path: all or nothing, a full disk told apart.
    private func appendAll(_ events: [Event], logger: Logger) async throws(IngestFailure) -> ClosedRange<UInt64>? {
        guard !events.isEmpty else { return nil }
        let offsets: ClosedRange<UInt64>
        do {
            offsets = try await append(events)
        } catch let refusal as APIError {
            // The node refused the write as a whole (a follower; a leader JetStream did not acknowledge in time).
            throw IngestFailure(refusal.status == .conflict ? .notLeader : .notReplicated, refusal)
        } catch let error as any DiskFullReporting where error.isDiskFull {
            throw IngestFailure(.diskFull, APIError(
                .init(code: 507, reasonPhrase: "Insufficient Storage"), error: "disk full",
                detail: "the log's disk is full; nothing of this request was appended; retry when space is freed (\(error))"))
        } catch {
            logger.error("ingest: append of \(events.count) events failed: \(error)")
            throw IngestFailure(.appendFailed, APIError(
                .internalServerError, error: "append failed", detail: "nothing of this request was appended: \(error)"))
        }
        precondition(offsets.count == events.count, "the log assigned \(offsets.count) offsets to \(events.count) events")
        return offsets
    }
}

/// Why a request's body was refused as malformed: answered 400 (or `status`) with
/// `{"error","detail"}`, where the detail names the line, series or field.
public struct IngestInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public let detail: String
    public let status: HTTPResponse.Status

    public init(_ detail: String, status: HTTPResponse.Status = .badRequest) {
        self.detail = detail
        self.status = status
    }

    public var description: String { detail }

    var apiError: APIError {
        status == .badRequest
            ? .badRequest(detail)
            : APIError(status, error: status.reasonPhrase.lowercased(), detail: detail)
    }
}

/// An ingest refusal with the reason it is counted under.
struct IngestFailure: Error {
    let reason: IngestErrorReason
    let apiError: APIError

    init(_ reason: IngestErrorReason, _ apiError: APIError) {
        self.reason = reason
        self.apiError = apiError
    }
}
