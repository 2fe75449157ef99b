import EventStore

/// `GET /api/v1/info`: what this server is and how it was started.
public struct ServerInfo: Encodable, Sendable, Equatable {
    public static let version = "0.1.0"

    public var version: String
    public var dataDirectory: String
    /// True when the demo workload feeds the log: the dashboard shows a DEMO label.
    public var demo: Bool
    /// `live` while following appends; `replay` when serving a recorded range.
    public var mode: String
    public var startedAt: String
    public var startedAtNs: Int64

    public init(dataDirectory: String, demo: Bool, mode: String = "live", startedAtNs: Int64, version: String = ServerInfo.version) {
        self.version = version
        self.dataDirectory = dataDirectory
        self.demo = demo
        self.mode = mode
        self.startedAt = EventTime.formatRFC3339(startedAtNs)
        self.startedAtNs = startedAtNs
    }
}
