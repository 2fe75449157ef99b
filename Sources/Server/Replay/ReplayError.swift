import EventStore

/// Why a replay could not be set up or could not go on, with what to do about it.
public struct ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The directory is not a readable data directory.
        case cannotOpen
        /// `--from`/`--to` select no event of the log.
        case emptyRange
        /// Reading the log failed during the replay.
        case readFailed
    }

    public let code: Code
    public let detail: String

    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    public var description: String { "replay: \(detail)" }
}
