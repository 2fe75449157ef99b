import Projections

/// Why the host could not start or answer.
public struct HostError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case invalidOptions
        /// `run()` or `views(atNs:)` before `recover()` finished.
        case notRecovered
        /// `recover()` or `run()` called twice.
        case alreadyStarted
        /// The log no longer holds the events needed (retention removed them).
        case historyUnavailable
    }

    public let code: Code
    public let detail: String

    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "projection host: \(detail)" }
}
