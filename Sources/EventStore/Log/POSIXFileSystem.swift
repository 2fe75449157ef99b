#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file layer: pread/pwrite/fsync/ftruncate/rename/unlink on POSIX.
public struct POSIXFileSystem: LogFileSystem {
    public init() {}

    static func error(_ operation: String, _ path: String, _ number: Int32 = errno) -> FileSystemError {
        let code: FileSystemError.Code = switch number {
        case ENOSPC, EDQUOT: .noSpace
        case ENOENT: .notFound
        case EEXIST: .alreadyExists
        case EIO: .io
        default: .other(errno: number)
        }
        return FileSystemError(code: code, operation: operation, path: path)
    }

    public func open(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any LogFile {
        var flags = O_RDWR | O_CLOEXEC
        if create { flags |= O_CREAT }
        if truncate { flags |= O_TRUNC }
        var descriptor = Glibc.open(path, flags, 0o644)
        if descriptor < 0 && errno == EACCES && !create && !truncate {
            descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw Self.error("open", path) }
        return POSIXFile(descriptor: descriptor, path: path)
    }

    public func rename(from: String, to: String) throws(FileSystemError) {
        guard Glibc.rename(from, to) == 0 else { throw Self.error("rename to \(to)", from) }
    }

    public func remove(_ path: String) throws(FileSystemError) {
        guard unlink(path) == 0 else { throw Self.error("remove", path) }
    }

    public func list(directory: String) throws(FileSystemError) -> [String] {
        guard let dir = opendir(directory) else { throw Self.error("list", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func createDirectory(_ path: String) throws(FileSystemError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            prefix += "/" + component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST { throw Self.error("create directory", prefix) }
        }
    }

    public func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public func syncDirectory(_ path: String) throws(FileSystemError) {
        let descriptor = Glibc.open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Self.error("open directory", path) }
        defer { Glibc.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw Self.error("fsync directory", path) }
    }
}

/// One open descriptor. Not shared between tasks: each reader opens its own.
final class POSIXFile: LogFile {
    private var descriptor: Int32
    let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close() }

    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        while true {
            let n = pread(descriptor, buffer.baseAddress, buffer.count, off_t(position))
            if n >= 0 { return n }
            if errno != EINTR { throw POSIXFileSystem.error("read", path) }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) -> Int {
        while true {
            let n = pwrite(descriptor, bytes.baseAddress, bytes.count, off_t(position))
            if n > 0 { return n }
            if n == 0 { throw POSIXFileSystem.error("write", path, EIO) }
            if errno != EINTR { throw POSIXFileSystem.error("write", path) }
        }
    }

    func sync() throws(FileSystemError) {
        guard fsync(descriptor) == 0 else { throw POSIXFileSystem.error("fsync", path) }
    }

    func truncate(to sizeBytes: UInt64) throws(FileSystemError) {
        guard ftruncate(descriptor, off_t(sizeBytes)) == 0 else { throw POSIXFileSystem.error("truncate", path) }
    }

    func sizeBytes() throws(FileSystemError) -> UInt64 {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw POSIXFileSystem.error("stat", path) }
        return UInt64(info.st_size)
    }

    func close() {
        if descriptor >= 0 {
            _ = Glibc.close(descriptor)
            descriptor = -1
        }
    }
}
