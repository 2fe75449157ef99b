import EventStore
import Foundation

/// An in-memory file layer with POSIX semantics the log relies on (handles keep their
/// inode across rename and remove) and seeded fault injection: short writes, torn
/// writes (a prefix lands, then the call fails), failed fsyncs, and a disk that fills.
/// `crash()` throws away everything not fsynced, as a power loss would.
public final class SimulatedFileSystem: LogFileSystem, @unchecked Sendable {
    public struct Faults: Sendable {
        public var shortWriteProbability = 0.0
        public var tornWriteProbability = 0.0
        public var fsyncFailureProbability = 0.0
        public init(shortWriteProbability: Double = 0, tornWriteProbability: Double = 0, fsyncFailureProbability: Double = 0) {
            self.shortWriteProbability = shortWriteProbability
            self.tornWriteProbability = tornWriteProbability
            self.fsyncFailureProbability = fsyncFailureProbability
        }
    }

    final class Inode {
        var data: [UInt8] = []
        var durable: [UInt8] = []
    }

    private let lock = NSLock()
    private var files: [String: Inode] = [:]
    private var durableNames: [String: Inode] = [:]
    private var directories: Set<String> = []
    private var random: SeededRandom
    public var faults: Faults {
        get { lock.withLock { storedFaults } }
        set { lock.withLock { storedFaults = newValue } }
    }
    private var storedFaults: Faults
    /// Total bytes all files may hold; writes past it fail with `.noSpace`.
    public var capacityBytes: Int {
        get { lock.withLock { storedCapacity } }
        set { lock.withLock { storedCapacity = newValue } }
    }
    private var storedCapacity = Int.max

    public let seed: UInt64

    private func locked<T>(_ body: () throws(FileSystemError) -> T) throws(FileSystemError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    public init(seed: UInt64, faults: Faults = Faults()) {
        self.seed = seed
        self.random = SeededRandom(seed: seed)
        self.storedFaults = faults
    }

    public func open(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any LogFile {
        try locked { () throws(FileSystemError) -> any LogFile in
            var inode = files[path]
            if inode == nil {
                guard create else { throw FileSystemError(code: .notFound, operation: "open", path: path) }
                inode = Inode()
                files[path] = inode
            }
            if truncate { inode!.data.removeAll() }
            return SimulatedFile(fileSystem: self, inode: inode!, path: path)
        }
    }

    public func rename(from: String, to: String) throws(FileSystemError) {
        try locked { () throws(FileSystemError) in
            guard let inode = files.removeValue(forKey: from) else { throw FileSystemError(code: .notFound, operation: "rename", path: from) }
            files[to] = inode
        }
    }

    public func remove(_ path: String) throws(FileSystemError) {
        try locked { () throws(FileSystemError) in
            guard files.removeValue(forKey: path) != nil else { throw FileSystemError(code: .notFound, operation: "remove", path: path) }
        }
    }

    public func list(directory: String) throws(FileSystemError) -> [String] {
        lock.withLock {
            let prefix = directory + "/"
            return files.keys.filter { $0.hasPrefix(prefix) && !$0.dropFirst(prefix.count).contains("/") }
                .map { String($0.dropFirst(prefix.count)) }.sorted()
        }
    }

    public func createDirectory(_ path: String) throws(FileSystemError) {
        _ = lock.withLock { directories.insert(path) }
    }

    public func exists(_ path: String) -> Bool {
        lock.withLock { files[path] != nil || directories.contains(path) }
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        lock.withLock {
            let prefix = path + "/"
            durableNames = durableNames.filter { !$0.key.hasPrefix(prefix) || $0.key.dropFirst(prefix.count).contains("/") }
            for (name, inode) in files where name.hasPrefix(prefix) && !name.dropFirst(prefix.count).contains("/") {
                durableNames[name] = inode
            }
        }
    }

    /// Power loss: only synced names and synced contents remain.
    public func crash() {
        lock.withLock {
            for inode in files.values { inode.data = inode.durable }
            for inode in durableNames.values { inode.data = inode.durable }
            files = durableNames
        }
    }

    /// The bytes of a file as a reader would see them now (nil when absent).
    public func contents(_ path: String) -> [UInt8]? {
        lock.withLock { files[path]?.data }
    }

    /// Replaces a file's bytes (tests use it to damage files).
    public func setContents(_ path: String, _ bytes: [UInt8]) {
        lock.withLock {
            let inode = files[path] ?? Inode()
            inode.data = bytes
            inode.durable = bytes
            files[path] = inode
        }
    }

    // MARK: operations of open files, under the lock

    func read(_ inode: Inode, at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        lock.withLock {
            guard position < UInt64(inode.data.count) else { return 0 }
            let n = min(buffer.count, inode.data.count - Int(position))
            inode.data.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(position)..<(Int(position) + n)])) }
            return n
        }
    }

    func write(_ inode: Inode, path: String, _ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) -> Int {
        try locked { () throws(FileSystemError) -> Int in
            var count = bytes.count
            var failure: FileSystemError?
            if count > 1 && random.chance(storedFaults.tornWriteProbability) {
                count = Int(random.next() % UInt64(count))
                failure = FileSystemError(code: .io, operation: "write (torn)", path: path)
            } else if count > 1 && random.chance(storedFaults.shortWriteProbability) {
                count = 1 + Int(random.next() % UInt64(count - 1))
            }
            let used = files.values.reduce(0) { $0 + $1.data.count }
            let growth = max(0, Int(position) + count - inode.data.count)
            if used + growth > storedCapacity {
                count = max(0, min(count, storedCapacity - used + (inode.data.count - Int(position))))
                failure = FileSystemError(code: .noSpace, operation: "write", path: path)
            }
            let end = Int(position) + count
            if inode.data.count < end { inode.data.append(contentsOf: repeatElement(0, count: end - inode.data.count)) }
            inode.data.withUnsafeMutableBytes { target in
                UnsafeMutableRawBufferPointer(rebasing: target[Int(position)..<end]).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<count]))
            }
            if let failure { throw failure }
            return count
        }
    }

    func sync(_ inode: Inode, path: String) throws(FileSystemError) {
        try locked { () throws(FileSystemError) in
            if random.chance(storedFaults.fsyncFailureProbability) {
                throw FileSystemError(code: .io, operation: "fsync", path: path)
            }
            inode.durable = inode.data
        }
    }

    func truncate(_ inode: Inode, to size: UInt64) {
        lock.withLock {
            if inode.data.count > Int(size) { inode.data.removeLast(inode.data.count - Int(size)) } else {
                inode.data.append(contentsOf: repeatElement(0, count: Int(size) - inode.data.count))
            }
        }
    }

    func size(_ inode: Inode) -> UInt64 { lock.withLock { UInt64(inode.data.count) } }
}

final class SimulatedFile: LogFile {
    let fileSystem: SimulatedFileSystem
    let inode: SimulatedFileSystem.Inode
    let path: String

    init(fileSystem: SimulatedFileSystem, inode: SimulatedFileSystem.Inode, path: String) {
        self.fileSystem = fileSystem
        self.inode = inode
        self.path = path
    }

    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        fileSystem.read(inode, at: position, into: buffer)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) -> Int {
        try fileSystem.write(inode, path: path, bytes, at: position)
    }

    func sync() throws(FileSystemError) { try fileSystem.sync(inode, path: path) }
    func truncate(to sizeBytes: UInt64) throws(FileSystemError) { fileSystem.truncate(inode, to: sizeBytes) }
    func sizeBytes() throws(FileSystemError) -> UInt64 { fileSystem.size(inode) }
    func close() {}
}
