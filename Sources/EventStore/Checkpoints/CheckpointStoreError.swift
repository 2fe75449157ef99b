/// Why a checkpoint could not be listed, loaded or saved, and on which path.
/// Damage is an operating error: the caller skips the checkpoint for an older one.
public struct CheckpointStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: Sendable, Equatable {
        /// The file exists but its header, length or checksum is wrong.
        case damaged(reason: String)
        /// The file vanished (pruned or removed by hand) after it was listed.
        case notFound
        /// The content is over the store's `contentBytesMax`.
        case tooLarge(sizeBytes: UInt64, maxBytes: UInt64)
        /// The file layer failed (disk full, permissions, I/O error).
        case fileSystem(FileSystemError)
    }

    public let code: Code
    public let path: String

    public init(code: Code, path: String) {
        self.code = code
        self.path = path
    }

    public var description: String {
        switch code {
        case .damaged(let reason): "checkpoint \(path) is damaged (\(reason)); it is skipped for an older one"
        case .notFound: "checkpoint \(path) is missing"
        case .tooLarge(let size, let max):
            "checkpoint \(path) would hold \(size) bytes, over the limit of \(max): raise contentBytesMax"
        case .fileSystem(let error): "checkpoint \(path): \(error)"
        }
    }
}
