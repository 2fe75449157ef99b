/// An operating error from the file layer: what was attempted, on which path, and the
/// errno (or simulated equivalent). Disk full is its own code so callers can answer 507.
public struct FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        case noSpace
        case notFound
        case alreadyExists
        case io
        case other(errno: Int32)
    }

    public let code: Code
    public let operation: String
    public let path: String

    public init(code: Code, operation: String, path: String) {
        self.code = code
        self.operation = operation
        self.path = path
    }

    public var description: String {
        let what: String = switch code {
        case .noSpace: "no space left on device"
        case .notFound: "no such file or directory"
        case .alreadyExists: "file exists"
        case .io: "input/output error"
        case .other(let errno): "errno \(errno)"
        }
        return "\(operation) \(path): \(what)"
    }
}
