/// Bounds on what an analysis keeps, so a long or hostile log cannot grow it without end.
public enum AnalysisLimits {
    /// Distinct operation names (and, separately, protocols) with their own latency; later ones go to `otherKey`.
    public static let keysMax = 1_000
    public static let otherKey = "(other)"
    /// Per-minute timeline points kept (about 69 days).
    public static let minutesMax = 100_000
    /// Alerts, breaker connections, open intervals per connection and optimizer steps kept.
    public static let alertsMax = 100_000
    public static let connectionsMax = 10_000
    public static let openIntervalsMax = 10_000
    public static let optimizationStepsMax = 10_000
}
