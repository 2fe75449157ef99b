#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `/proc` files come from: the real file system, or fixture text in tests.
public protocol ProcSource: Sendable {
    /// The whole content of the file at `path`; throws when it cannot be read.
    func read(_ path: String) throws(ProcReadError) -> String
    /// `sysconf(_SC_CLK_TCK)`.
    var ticksPerSecond: Int { get }
    /// `sysconf(_SC_PAGESIZE)`.
    var pageSizeBytes: Int { get }
}

public struct ProcReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    public var description: String {
        "cannot read \(path): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Reads the machine's `/proc`. Its files report size 0, so they are read until EOF,
/// up to `fileBytesMax` (a `/proc/stat` of a 1,000-core machine is ~150 KiB).
public struct SystemProcSource: ProcSource {
    public static let fileBytesMax = 1 << 20

    public init() {}

    public var ticksPerSecond: Int { Int(sysconf(Int32(_SC_CLK_TCK))) }
    public var pageSizeBytes: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    public func read(_ path: String) throws(ProcReadError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ProcReadError(path: path, errno: errno) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count < Self.fileBytesMax {
            let count = chunk.withUnsafeMutableBytes { readFile(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ProcReadError(path: path, errno: errno)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// `read(2)`, under another name: inside `SystemProcSource` the name `read` is the method.
private func readFile(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
