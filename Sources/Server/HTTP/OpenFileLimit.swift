#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (RLIMIT_NOFILE). Every connection, segment and
/// checkpoint holds a descriptor; a service started with Debian's default soft limit
/// of 1,024 stops accepting anyone once idle sockets take them all.
public enum OpenFileLimit {
    /// Descriptors kept for the log, checkpoints, the collector's /proc reads and the
    /// listening socket, beyond the connections.
    public static let reservedDescriptors = 256

    public struct Raised: Sendable, Equatable {
        public var softBefore: UInt64
        public var soft: UInt64
        public var hard: UInt64
    }

    /// Raises the soft limit to the hard one; nil when the limit cannot be read.
    public static func raiseToHard() -> Raised? {
        var limit = rlimit()
        guard getrlimit(resourceNoFile, &limit) == 0 else { return nil }
        let before = UInt64(limit.rlim_cur)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resourceNoFile, &raised) == 0 { limit = raised }
        }
        return Raised(softBefore: before, soft: UInt64(limit.rlim_cur), hard: UInt64(limit.rlim_max))
    }

    /// Connections that fit the soft limit beside the reserved descriptors.
    public static func connectionsFitting(soft: UInt64) -> Int {
        let usable = soft > UInt64(reservedDescriptors) ? soft - UInt64(reservedDescriptors) : 0
        return Int(min(usable, UInt64(Int.max)))
    }

    #if canImport(Glibc)
    private static var resourceNoFile: __rlimit_resource_t { __rlimit_resource_t(RLIMIT_NOFILE.rawValue) }
    #else
    private static var resourceNoFile: Int32 { RLIMIT_NOFILE }
    #endif
}
