/// The layout of a data directory:
/// ```
/// DIR/meta                      format version, written atomically
/// DIR/log/<base20>.seg          segments, named by base offset
/// DIR/log/<base20>.idx          their sparse indexes (derived, rebuilt when missing)
/// DIR/log/<base20>.sidx         sealed segments' series indexes (derived)
/// DIR/log/<base20>.rlup         sealed segments' minute rollups per series (derived)
/// DIR/checkpoints/              projection checkpoints (owned by Projections)
/// DIR/snapshots/                view snapshots along the log, for time travel (derived)
/// ```
public struct DataDirectory: Sendable {
    public let path: String
    public let fileSystem: any LogFileSystem

    public var metaPath: String { path + "/meta" }
    public var logPath: String { path + "/log" }
    public var checkpointsPath: String { path + "/checkpoints" }
    public var snapshotsPath: String { Self.snapshotsPath(of: path) }
    /// `DIR/snapshots` of a data directory's path, without opening it.
    public static func snapshotsPath(of path: String) -> String { path + "/snapshots" }

    static let metaFirstLine = "tacho-data-directory"
    static let metaBytesMax = 4096

    public func segmentPath(baseOffset: UInt64) -> String { logPath + "/" + LogFormat.segmentFileName(baseOffset: baseOffset) }
    public func indexPath(baseOffset: UInt64) -> String { logPath + "/" + LogFormat.indexFileName(baseOffset: baseOffset) }
    public func seriesIndexPath(baseOffset: UInt64) -> String { logPath + "/" + LogFormat.seriesIndexFileName(baseOffset: baseOffset) }
    /// A sealed segment's minute rollups (`SegmentRollups`).
    public func rollupsPath(baseOffset: UInt64) -> String { logPath + "/" + LogFormat.rollupsFileName(baseOffset: baseOffset) }

    /// Opens (creating when absent) a data directory, refusing one written by a newer format.
    public static func open(path: String, fileSystem: any LogFileSystem = POSIXFileSystem()) throws(LogError) -> DataDirectory {
        let directory = DataDirectory(path: path, fileSystem: fileSystem)
        do {
            try fileSystem.createDirectory(path)
            try fileSystem.createDirectory(directory.logPath)
            try fileSystem.createDirectory(directory.checkpointsPath)
            if fileSystem.exists(directory.metaPath) {
                let version = try directory.readMetaVersion()
                guard version <= LogFormat.readableVersionMax else {
                    throw LogError.unsupportedFormatVersion(found: version, readableMax: LogFormat.readableVersionMax, path: directory.metaPath)
                }
            } else {
                let text = "\(metaFirstLine)\nformat-version \(LogFormat.version)\n"
                try fileSystem.writeAtomically(Array(text.utf8), to: directory.metaPath, directory: path)
            }
            try directory.removeTemporaryFiles()
        } catch let error as FileSystemError {
            throw .fileSystem(error)
        } catch let error as LogError {
            throw error
        } catch {
            preconditionFailure("unexpected error \(error)")
        }
        return directory
    }

    /// The format version recorded in `meta`.
    public func readMetaVersion() throws(LogError) -> UInt16 {
        let bytes: [UInt8]
        do { bytes = try fileSystem.readAll(metaPath, sizeBytesMax: Self.metaBytesMax) } catch { throw .fileSystem(error) }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        guard lines.first == Substring(Self.metaFirstLine) else { throw .badMeta(path: metaPath, detail: "missing first line") }
        for line in lines.dropFirst() {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == "format-version" {
                guard let version = UInt16(parts[1]) else { throw .badMeta(path: metaPath, detail: "format-version is not a number") }
                return version
            }
        }
        throw .badMeta(path: metaPath, detail: "no format-version line")
    }

    /// Base offsets of the segments present, ascending.
    func segmentBaseOffsets() throws(FileSystemError) -> [UInt64] {
        try fileSystem.list(directory: logPath).compactMap { LogFormat.baseOffset(segmentFileName: $0) }.sorted()
    }

    /// Leftovers of an interrupted atomic write or compaction are never valid data.
    private func removeTemporaryFiles() throws(FileSystemError) {
        for name in try fileSystem.list(directory: logPath) where name.hasSuffix(LogFormat.temporarySuffix) {
            try fileSystem.remove(logPath + "/" + name)
        }
    }
}
