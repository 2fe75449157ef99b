import EventStore
import Hummingbird
import Projections
import Runtime

/// The query parameters the read routes share, parsed strictly: a value that is
/// present but not understood is a 400 naming the parameter, never silently ignored.
struct ViewQuery {
    let parameters: [String: String]

    init(_ request: Request) {
        var parameters: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
        self.parameters = parameters
    }

    /// A non-empty parameter, nil when absent or empty.
    func text(_ name: String) -> String? {
        guard let value = parameters[name], !value.isEmpty else { return nil }
        return value
    }

    /// `?name=` as RFC 3339 or integer nanoseconds since the epoch.
    func timeNs(_ name: String) throws -> Int64? {
        guard let raw = text(name) else { return nil }
        guard let nanos = EventTime.parse(raw) else {
            throw APIError.badRequest("query parameter '\(name)': '\(Self.shown(raw))' is neither RFC 3339 (2026-01-01T10:00:00Z) nor integer nanoseconds")
        }
        return nanos
    }

    /// `?name=` as an integer within `range`.
    func integer(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let raw = text(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw APIError.badRequest("query parameter '\(name)': '\(Self.shown(raw))' is not an integer within \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    func severity() throws -> AlertSeverity? {
        guard let raw = text("severity") else { return nil }
        guard let severity = AlertSeverity(rawValue: raw.lowercased()) else {
            throw APIError.badRequest("query parameter 'severity': '\(Self.shown(raw))' is not one of critical, warning, info")
        }
        return severity
    }

    static func shown(_ raw: String) -> String {
        raw.count > 64 ? String(raw.prefix(64)) + "…" : raw
    }
}

/// The snapshot a read answers from: the live one, or the one as of `?at=`.
struct SnapshotRequest {
    let snapshot: EngineSnapshot<ProjectionSet>
    /// The `?at=` moment, nil for a live read.
    let atNs: Int64?

    var views: ProjectionSet { snapshot.views }

    static func resolve(_ request: Request, reader: any ViewReading) async throws -> SnapshotRequest {
        let atNs = try ViewQuery(request).timeNs("at")
        guard let atNs else { return SnapshotRequest(snapshot: reader.currentSnapshot(), atNs: nil) }
        do {
            return SnapshotRequest(snapshot: try await reader.snapshot(atNs: atNs), atNs: atNs)
        } catch let error as HostError where error.code == .historyUnavailable {
            throw APIError.notFound("the log no longer holds the events before \(EventTime.formatRFC3339(atNs)): \(error.detail)")
        }
    }
}
