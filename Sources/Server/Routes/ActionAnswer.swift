import Foundation
import Hummingbird

/// The answer of an action route: which event it appended, at which offset.
struct ActionAnswer: Encodable {
    var id: String
    /// `alert_ack` or `optimization`; nil when nothing needed appending.
    var appended: String?
    var offset: UInt64?
    var detail: String

    /// A path parameter, percent-decoded (the dashboard sends `encodeURIComponent(id)`).
    static func pathParameter(_ name: String, _ context: some RequestContext) throws -> String {
        guard let raw = context.parameters.get(name) else { throw APIError.badRequest("missing path parameter '\(name)'") }
        return raw.removingPercentEncoding ?? raw
    }
}
