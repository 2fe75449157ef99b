import Hummingbird

/// The bearer token writes must present when one is configured.
public struct BearerToken: Sendable {
    private let expected: [UInt8]

    /// nil when `token` is nil or empty: writes then need no token.
    public init?(_ token: String?) {
        guard let token, !token.isEmpty else { return nil }
        self.expected = Array(token.utf8)
    }

    /// Checks an `Authorization` header value. The comparison takes the same time
    /// whatever the position of the first differing byte, so timing does not reveal
    /// how much of a guess was right.
    public func accepts(authorization: String?) -> Bool {
        guard let authorization else { return false }
        let scheme = "bearer "
        guard authorization.count > scheme.count, authorization.prefix(scheme.count).lowercased() == scheme else { return false }
        let presented = Array(authorization.utf8.dropFirst(scheme.utf8.count))
        return Self.constantTimeEqual(presented, expected)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        if a.count != b.count { difference |= 1 }
        // Always walk the expected length; index the presented bytes modulo their count.
        for index in 0..<b.count {
            let presented = a.isEmpty ? 0 : a[index % a.count]
            difference |= presented ^ b[index]
        }
        return difference == 0
    }
}

/// Refuses requests without the configured bearer token with 401 and a JSON body.
/// Put it on the groups of write routes; reads stay open.
public struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    public let token: BearerToken?
    private let onRefused: @Sendable () -> Void

    public init(token: BearerToken?, onRefused: @escaping @Sendable () -> Void = {}) {
        self.token = token
        self.onRefused = onRefused
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let token, !token.accepts(authorization: request.headers[.authorization]) {
            onRefused()
            throw APIError.unauthorized(
                request.headers[.authorization] == nil
                    ? "this server requires 'Authorization: Bearer <token>' for writes"
                    : "the bearer token does not match the server's")
        }
        return try await next(request, context)
    }
}
