/// Checkpoints as files in `DIR/checkpoints`, one per covered prefix, named by the
/// offset they resume at (`<nextOffset, 20 digits>.ckpt`, so lexical order is offset
/// order). Each is a `CheckpointFileHeader` then the content, written atomically
/// (temporary file, fsync, rename, fsync of the directory). The content is opaque
/// here: Projections encodes it.
///
/// Damage is never fatal: `list` reports files whose header is wrong, `load` throws
/// `.damaged` when the length or checksum is wrong, and the caller falls back to an
/// older checkpoint. One writer at a time; reads may run concurrently with it.
public struct FileCheckpointStore: Sendable {
    public let directory: String
    public let fileSystem: any LogFileSystem
    /// The largest content accepted on save and believed on load.
    public let contentBytesMax: UInt64
    /// Opened by `reading(directory:…)`: lists and loads only, never creates or removes.
    public let readOnly: Bool

    public static let contentBytesMaxDefault: UInt64 = 1 << 30
    static let suffix = ".ckpt"
    static let offsetDigits = 20

    /// Opens the directory (creating it) and removes temporary files that an
    /// interrupted save left behind: they were never renamed, so never valid.
    public init(
        directory: String, fileSystem: any LogFileSystem = POSIXFileSystem(),
        contentBytesMax: UInt64 = FileCheckpointStore.contentBytesMaxDefault
    ) throws(CheckpointStoreError) {
        precondition(contentBytesMax > 0, "contentBytesMax must be positive")
        self.directory = directory
        self.fileSystem = fileSystem
        self.contentBytesMax = contentBytesMax
        self.readOnly = false
        do {
            try fileSystem.createDirectory(directory)
            for name in try fileSystem.list(directory: directory) where name.hasSuffix(LogFormat.temporarySuffix) {
                try fileSystem.remove(directory + "/" + name)
            }
        } catch {
            throw CheckpointStoreError(code: .fileSystem(error), path: directory)
        }
    }

    private init(readingOnly directory: String, fileSystem: any LogFileSystem, contentBytesMax: UInt64) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.contentBytesMax = contentBytesMax
        self.readOnly = true
    }

    /// A store that only lists and loads, for readers that must not change a data
    /// directory (`tacho replay --serve` on an archived incident); nil when the
    /// directory does not exist. Temporary files are left as they are (ignored).
    public static func reading(
        directory: String, fileSystem: any LogFileSystem = POSIXFileSystem(),
        contentBytesMax: UInt64 = FileCheckpointStore.contentBytesMaxDefault
    ) -> FileCheckpointStore? {
        guard fileSystem.exists(directory) else { return nil }
        return FileCheckpointStore(readingOnly: directory, fileSystem: fileSystem, contentBytesMax: contentBytesMax)
    }

    /// The store of a data directory (`DIR/checkpoints`).
    public init(dataDirectory: DataDirectory, contentBytesMax: UInt64 = FileCheckpointStore.contentBytesMaxDefault) throws(CheckpointStoreError) {
        try self.init(directory: dataDirectory.checkpointsPath, fileSystem: dataDirectory.fileSystem, contentBytesMax: contentBytesMax)
    }

    public static func fileName(nextOffset: UInt64) -> String {
        let digits = String(nextOffset)
        return String(repeating: "0", count: offsetDigits - digits.count) + digits + suffix
    }

    static func nextOffset(fileName name: String) -> UInt64? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard stem.count == offsetDigits, stem.allSatisfy({ $0 >= "0" && $0 <= "9" }) else { return nil }
        return UInt64(stem)
    }

    /// Reads every checkpoint's header; newest first. Checksums are checked by `load`.
    public func list() throws(CheckpointStoreError) -> CheckpointListing {
        let names: [String]
        do { names = try fileSystem.list(directory: directory) } catch {
            throw CheckpointStoreError(code: .fileSystem(error), path: directory)
        }
        var found: [CheckpointInfo] = []
        var damaged: [CheckpointDamage] = []
        for name in names {
            guard let offset = Self.nextOffset(fileName: name) else { continue }
            do {
                let info = try readInfo(name: name, offset: offset)
                found.append(info)
            } catch {
                switch error.code {
                case .damaged(let reason): damaged.append(CheckpointDamage(name: name, reason: reason))
                case .notFound: continue
                default: throw error
                }
            }
        }
        found.sort { $0.nextOffset > $1.nextOffset }
        return CheckpointListing(checkpoints: found, damaged: damaged)
    }

    /// The verified content of a checkpoint.
    public func load(_ info: CheckpointInfo) throws(CheckpointStoreError) -> [UInt8] {
        let path = directory + "/" + info.name
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readAll(path, sizeBytesMax: Int(clamping: contentBytesMax) + CheckpointFileHeader.sizeBytes)
        } catch {
            throw CheckpointStoreError(code: error.code == .notFound ? .notFound : .fileSystem(error), path: path)
        }
        return try bytes.withUnsafeBytes { raw in
            Result { () throws(CheckpointStoreError) -> [UInt8] in try verifiedContent(raw, info: info, path: path) }
        }.get()
    }

    private func verifiedContent(_ raw: UnsafeRawBufferPointer, info: CheckpointInfo, path: String) throws(CheckpointStoreError) -> [UInt8] {
        let header = try checkedHeader(raw, name: info.name, path: path, fileSizeBytes: UInt64(raw.count))
        guard header.nextOffset == info.nextOffset else {
            throw CheckpointStoreError(code: .damaged(reason: "header changed since listed"), path: path)
        }
        let content = UnsafeRawBufferPointer(rebasing: raw[CheckpointFileHeader.sizeBytes...])
        let headerBytes = UnsafeRawBufferPointer(rebasing: raw[0..<CheckpointFileHeader.sizeBytes])
        guard CheckpointFileHeader.verify(header: headerBytes, content: content, checksum: header.checksum) else {
            throw CheckpointStoreError(code: .damaged(reason: "checksum mismatch"), path: path)
        }
        return Array(content)
    }

    /// Writes a checkpoint atomically, replacing one at the same offset.
    @discardableResult
    public func save(_ content: [UInt8], nextOffset: UInt64, eventTimeNs: Int64?) throws(CheckpointStoreError) -> CheckpointInfo {
        precondition(!readOnly, "save on a read-only checkpoint store (\(directory))")
        let name = Self.fileName(nextOffset: nextOffset)
        let path = directory + "/" + name
        guard UInt64(content.count) <= contentBytesMax else {
            throw CheckpointStoreError(code: .tooLarge(sizeBytes: UInt64(content.count), maxBytes: contentBytesMax), path: path)
        }
        let header = CheckpointFileHeader(nextOffset: nextOffset, eventTimeNs: eventTimeNs, contentSizeBytes: UInt64(content.count))
        var bytes = content.withUnsafeBytes { header.encode(content: $0) }
        bytes.append(contentsOf: content)
        do { try fileSystem.writeAtomically(bytes, to: path, directory: directory) } catch {
            throw CheckpointStoreError(code: .fileSystem(error), path: path)
        }
        return CheckpointInfo(nextOffset: nextOffset, eventTimeNs: eventTimeNs, contentSizeBytes: UInt64(content.count), name: name)
    }

    /// Keeps the newest `count` checkpoints with a sound header and removes every
    /// checkpoint file older than the oldest of them (damaged ones included).
    /// Returns the names removed.
    @discardableResult
    public func prune(keepingNewest count: Int) throws(CheckpointStoreError) -> [String] {
        precondition(count >= 1, "pruning must keep at least one checkpoint")
        let listing = try list()
        guard listing.checkpoints.count > count else { return [] }
        let oldestKept = listing.checkpoints[count - 1].nextOffset
        let names: [String]
        do { names = try fileSystem.list(directory: directory) } catch {
            throw CheckpointStoreError(code: .fileSystem(error), path: directory)
        }
        var removed: [String] = []
        for name in names {
            guard let offset = Self.nextOffset(fileName: name), offset < oldestKept else { continue }
            do { try fileSystem.remove(directory + "/" + name) } catch {
                if error.code == .notFound { continue }
                throw CheckpointStoreError(code: .fileSystem(error), path: directory + "/" + name)
            }
            removed.append(name)
        }
        if !removed.isEmpty {
            do { try fileSystem.syncDirectory(directory) } catch {
                throw CheckpointStoreError(code: .fileSystem(error), path: directory)
            }
        }
        return removed
    }

    /// Removes one checkpoint (gone already counts as removed).
    public func remove(_ info: CheckpointInfo) throws(CheckpointStoreError) {
        precondition(!readOnly, "remove on a read-only checkpoint store (\(directory))")
        let path = directory + "/" + info.name
        do { try fileSystem.remove(path) } catch {
            if error.code == .notFound { return }
            throw CheckpointStoreError(code: .fileSystem(error), path: path)
        }
    }

    private func readInfo(name: String, offset: UInt64) throws(CheckpointStoreError) -> CheckpointInfo {
        let path = directory + "/" + name
        do {
            let file = try fileSystem.open(path, create: false, truncate: false)
            defer { file.close() }
            let size = try file.sizeBytes()
            var bytes = [UInt8](repeating: 0, count: CheckpointFileHeader.sizeBytes)
            let read = try bytes.withUnsafeMutableBytes { raw in
                Result { () throws(FileSystemError) in try file.readFully(at: 0, into: raw) }
            }.get()
            let header = try bytes.withUnsafeBytes { raw in
                Result { () throws(CheckpointStoreError) in
                    try checkedHeader(UnsafeRawBufferPointer(rebasing: raw[0..<read]), name: name, path: path, fileSizeBytes: size)
                }
            }.get()
            guard header.nextOffset == offset else {
                throw CheckpointStoreError(code: .damaged(reason: "header says next offset \(header.nextOffset), name says \(offset)"), path: path)
            }
            return CheckpointInfo(nextOffset: offset, eventTimeNs: header.eventTimeNs, contentSizeBytes: header.contentSizeBytes, name: name)
        } catch let error as FileSystemError {
            throw CheckpointStoreError(code: error.code == .notFound ? .notFound : .fileSystem(error), path: path)
        } catch let error as CheckpointStoreError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
    }

    private func checkedHeader(_ raw: UnsafeRawBufferPointer, name: String, path: String, fileSizeBytes: UInt64) throws(CheckpointStoreError) -> CheckpointFileHeader {
        let header: CheckpointFileHeader
        switch CheckpointFileHeader.decode(raw) {
        case .success(let decoded): header = decoded
        case .failure(let reason): throw CheckpointStoreError(code: .damaged(reason: reason.text), path: path)
        }
        guard header.contentSizeBytes <= contentBytesMax else {
            throw CheckpointStoreError(code: .damaged(reason: "content length \(header.contentSizeBytes) over the limit"), path: path)
        }
        let expected = UInt64(CheckpointFileHeader.sizeBytes) + header.contentSizeBytes
        guard fileSizeBytes == expected else {
            throw CheckpointStoreError(code: .damaged(reason: "file is \(fileSizeBytes) bytes, header says \(expected)"), path: path)
        }
        return header
    }
}
