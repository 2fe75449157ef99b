/// The storage the log runs on. A real POSIX implementation (`POSIXFileSystem`) and a
/// seeded simulated one with injected faults (TestSupport) both satisfy it.
///
/// Implementations must give POSIX semantics where the log depends on them:
/// `rename` replaces the target atomically; a file handle keeps reading the file it
/// opened after that file is renamed over or removed; `write` may write fewer bytes
/// than asked (the caller loops) and a failed `write` may have written a prefix.
public protocol LogFileSystem: Sendable {
    /// Opens a file; `create` makes it when absent, `truncate` empties it.
    func open(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any LogFile
    func rename(from: String, to: String) throws(FileSystemError)
    func remove(_ path: String) throws(FileSystemError)
    /// Names (not paths) of the entries of a directory.
    func list(directory: String) throws(FileSystemError) -> [String]
    /// Creates a directory and its parents when absent.
    func createDirectory(_ path: String) throws(FileSystemError)
    func exists(_ path: String) -> Bool
    /// Makes renames, creations and removals in a directory durable.
    func syncDirectory(_ path: String) throws(FileSystemError)
}

/// An open file. Used by one owner at a time; positional reads and writes only.
public protocol LogFile: AnyObject {
    /// Reads up to `buffer.count` bytes at `position`; returns how many were read (0 at end).
    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int
    /// Writes some prefix of `bytes` at `position`; returns its length (maybe short).
    func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) -> Int
    func sync() throws(FileSystemError)
    func truncate(to sizeBytes: UInt64) throws(FileSystemError)
    func sizeBytes() throws(FileSystemError) -> UInt64
    func close()
}

extension LogFile {
    /// Writes all of `bytes`, looping over short writes.
    public func writeAll(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) {
        var done = 0
        while done < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[done...])
            let written = try write(rest, at: position + UInt64(done))
            precondition(written > 0 && written <= rest.count, "write made no progress")
            done += written
        }
    }

    /// Reads exactly `buffer.count` bytes unless the file ends first; returns how many were read.
    public func readFully(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let n = try read(at: position + UInt64(done), into: UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }
}

extension LogFileSystem {
    /// Writes a whole file atomically: temporary file, fsync, rename, fsync of the directory.
    public func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(FileSystemError) {
        let temporary = path + LogFormat.temporarySuffix
        let file = try open(temporary, create: true, truncate: true)
        do {
            try bytes.withUnsafeBytes { raw in Result { () throws(FileSystemError) in try file.writeAll(raw, at: 0) } }.get()
            try file.sync()
        } catch {
            file.close()
            try? remove(temporary)
            throw error
        }
        file.close()
        try rename(from: temporary, to: path)
        try syncDirectory(directory)
    }

    /// Reads a whole (small) file.
    public func readAll(_ path: String, sizeBytesMax: Int) throws(FileSystemError) -> [UInt8] {
        let file = try open(path, create: false, truncate: false)
        defer { file.close() }
        let size = Int(clamping: try file.sizeBytes())
        let count = min(size, sizeBytesMax)
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { raw in
            Result { () throws(FileSystemError) in try file.readFully(at: 0, into: raw) }
        }.get()
        bytes.removeLast(count - read)
        return bytes
    }
}
