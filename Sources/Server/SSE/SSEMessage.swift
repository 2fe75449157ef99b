/// One Server-Sent Events message before framing.
///
/// `id` is the log offset the message reflects; messages that reflect no offset
/// (the final `lagged`, a `reset` announcement) carry none, so a browser keeps the
/// last offset it really received as its `Last-Event-ID`.
public struct SSEMessage: Sendable, Equatable {
    /// The `event:` name; nil means the spec's default, `message`.
    public var event: String?
    public var id: UInt64?
    /// Any text; line breaks of every kind are split into separate `data:` lines.
    public var data: String
    /// A reconnection-delay hint for the client.
    public var retryMs: Int?

    public init(event: String? = nil, id: UInt64? = nil, data: String, retryMs: Int? = nil) {
        self.event = event
        self.id = id
        self.data = data
        self.retryMs = retryMs
    }
}

/// The named events of the live stream (DESIGN.md, Server).
public enum SSEEventName {
    public static let metrics = "metrics"
    public static let health = "health"
    public static let alert = "alert"
    public static let circuitBreaker = "circuit-breaker"
    public static let optimization = "optimization"
    public static let cacheStats = "cache-stats"
    public static let batchMetrics = "batch-metrics"
    public static let topology = "topology"
    /// Sent instead of a replay when the requested offset is no longer retained.
    public static let reset = "reset"
    /// The last message a too-slow client gets before it is disconnected.
    public static let lagged = "lagged"
}
