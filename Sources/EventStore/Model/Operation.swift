/// One finished operation or request.
public struct Operation: Sendable, Equatable, Hashable {
    public var name: String
    /// `http1`, `http2`, `http3`, `websocket`, `grpc`, or free text; nil when not given.
    public var `protocol`: String?
    public var durationMs: Double
    public var ok: Bool

    public init(name: String, protocol: String? = nil, durationMs: Double, ok: Bool) {
        self.name = name
        self.protocol = `protocol`
        self.durationMs = durationMs
        self.ok = ok
    }
}
