import EventStore
import Hummingbird

/// An error answered as JSON `{"error": ..., "detail": ...}` with its status.
///
/// `error` is a short, stable phrase a client can switch on; `detail` says what
/// happened and where (for bad input: the line or index and the field).
public struct APIError: HTTPResponseError, Sendable, Equatable, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let error: String
    public let detail: String
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, error: String, detail: String, headers: HTTPFields = [:]) {
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers
    }

    public var description: String { "\(status.code) \(error): \(detail)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response()
    }

    /// The JSON response, also usable outside a route (the error middleware).
    public func response() -> Response {
        var writer = JSONWriter(reservingCapacity: 64 + detail.utf8.count)
        writer.beginObject()
        writer.member("error", error)
        writer.member("detail", detail)
        writer.endObject()
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }

    public static func badRequest(_ detail: String) -> APIError { APIError(.badRequest, error: "bad request", detail: detail) }

    public static func unauthorized(_ detail: String) -> APIError {
        APIError(.unauthorized, error: "unauthorized", detail: detail, headers: [.wwwAuthenticate: #"Bearer realm="tacho""#])
    }

    public static func notFound(_ detail: String) -> APIError { APIError(.notFound, error: "not found", detail: detail) }
}
