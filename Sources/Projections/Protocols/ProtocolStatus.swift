/// A protocol's health from its window's error rate and p99 latency. The warning
/// levels match the default alert rules (p99 > 150 ms, error rate > 5 %).
public enum ProtocolStatus: String, Encodable, Sendable, Equatable {
    case healthy
    case degraded
    case critical
    /// No requests in the window: nothing to judge.
    case idle

    public static let degradedErrorPercent = 1.0
    public static let criticalErrorPercent = 5.0
    public static let degradedP99Ms = 150.0
    public static let criticalP99Ms = 500.0

    public init(requests: UInt64, errorPercent: Double, p99Ms: Double) {
        if requests == 0 {
            self = .idle
        } else if errorPercent > Self.criticalErrorPercent || p99Ms > Self.criticalP99Ms {
            self = .critical
        } else if errorPercent > Self.degradedErrorPercent || p99Ms > Self.degradedP99Ms {
            self = .degraded
        } else {
            self = .healthy
        }
    }
}
