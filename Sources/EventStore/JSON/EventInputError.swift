/// Why an input of events was refused. Nothing of a refused input is appended.
public struct EventInputError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Location: Sendable, Equatable {
        /// 1-based line of an NDJSON input.
        case line(Int)
        /// 0-based index in a JSON array input.
        case index(Int)
        /// The input as a whole (for example: not JSON at all, or empty).
        case input
    }

    public let location: Location
    /// The offending field, as a path (`labels.core`, `params.batchSize`), if one is to blame.
    public let field: String?
    public let reason: String

    public init(location: Location, field: String?, reason: String) {
        self.location = location
        self.field = field
        self.reason = reason
    }

    public var where_: String {
        switch location {
        case .line(let n): "line \(n)"
        case .index(let n): "index \(n)"
        case .input: "input"
        }
    }

    public var description: String {
        if let field { return "\(where_), field '\(field)': \(reason)" }
        return "\(where_): \(reason)"
    }
}
