/// What went wrong in the log, and where. Corruption and file errors carry their
/// position or path; a failed append leaves the log consistent and says so.
public enum LogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Damaged bytes on disk; see `CorruptionError` for segment, position and reason.
    case corruption(CorruptionError)
    /// The file layer failed outside an append (open, read, list, rename...).
    case fileSystem(FileSystemError)
    /// Writing a batch failed (for example disk full). The batch's events were not
    /// appended, no offsets were consumed, the file was cut back to the last good
    /// batch, and later appends may succeed once the cause is gone.
    case appendFailed(FileSystemError)
    /// The data directory was written by a newer, unknown format version.
    case unsupportedFormatVersion(found: UInt16, readableMax: UInt16, path: String)
    /// The data directory's `meta` file is not one this program wrote.
    case badMeta(path: String, detail: String)
    /// A request broke a stated limit (for example an event the codec refused).
    case invalidArgument(String)
    /// The log was closed.
    case closed
    /// A replica's append was not at the offset the log would give it: the stream
    /// and the local log disagree (a gap, or batches applied twice).
    case offsetMismatch(expected: UInt64, next: UInt64)

    public var description: String {
        switch self {
        case .corruption(let error): "\(error)"
        case .fileSystem(let error): "\(error)"
        case .appendFailed(let error): "append failed, nothing of it was written: \(error)"
        case .unsupportedFormatVersion(let found, let max, let path):
            "\(path) has format version \(found); this build reads up to \(max): upgrade tacho"
        case .badMeta(let path, let detail): "\(path) is not a tacho data directory meta file: \(detail)"
        case .invalidArgument(let detail): "invalid argument: \(detail)"
        case .closed: "the log is closed"
        case .offsetMismatch(let expected, let next):
            "a replicated batch starts at offset \(expected) but the local log continues at \(next): the data directory does not follow this stream; restore it into an empty directory"
        }
    }
}
