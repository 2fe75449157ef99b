import Hummingbird
import Logging

/// Makes every error answer JSON `{"error","detail"}`: `APIError`s as they are,
/// Hummingbird's own `HTTPError`s (unknown route, wrong method) with their status, and
/// anything else as a 500 that is also logged.
public struct ErrorJSONMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as HTTPError {
            let detail = error.body ?? "\(request.method) \(request.uri.path): \(error.status.reasonPhrase)"
            return APIError(error.status, error: error.status.reasonPhrase.lowercased(), detail: detail, headers: error.headers).response()
        } catch let error as any HTTPResponseError {
            return APIError(error.status, error: error.status.reasonPhrase.lowercased(), detail: String(describing: error)).response()
        } catch {
            context.logger.error("unhandled error on \(request.method) \(request.uri.path): \(error)")
            return APIError(.internalServerError, error: "internal error", detail: String(describing: error)).response()
        }
    }
}
