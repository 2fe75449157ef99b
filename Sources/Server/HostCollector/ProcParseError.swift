/// A `/proc` file did not have the shape the kernel documents (proc(5)).
public struct ProcParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    public let reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "cannot parse \(file): \(reason)" }
}
