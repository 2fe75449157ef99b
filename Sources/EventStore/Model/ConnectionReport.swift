/// A connection's periodic report: topology, load, parse rate.
public struct ConnectionReport: Sendable, Equatable, Hashable {
    public var connection: String
    public var monitors: [String]
    /// 0–100.
    public var load: Double
    public var tps: Double
    /// 0–1.
    public var parseRate: Double
    public var latencyMs: Double

    public init(connection: String, monitors: [String], load: Double, tps: Double, parseRate: Double, latencyMs: Double) {
        self.connection = connection
        self.monitors = monitors
        self.load = load
        self.tps = tps
        self.parseRate = parseRate
        self.latencyMs = latencyMs
    }
}
