#if canImport(Glibc)
import Glibc
#endif
import Logging
import ServiceLifecycle

/// glibc's malloc keeps what the process frees in its arenas for the next allocation
/// and gives a page back to the system only when it sits at the top of the main
/// arena. A server that decodes a burst of remote-write requests, folds them, writes
/// a checkpoint and answers a large query frees hundreds of MB spread over many
/// threads' arenas; without a release its resident size stays at the burst's peak
/// (`tools/bench-remote-write-catchup`, 10,000 series: 684 MiB resident, 225 MiB
/// after one `malloc_trim(0)`).
public enum FreedMemory {
    /// Hands the free pages of every malloc arena back to the system
    /// (`malloc_trim(0)`, which `madvise`s them away). Blocking: it walks every arena
    /// under that arena's lock; call it off the cooperative pool. Returns whether
    /// memory was released (always false without glibc's `malloc_trim`).
    @discardableResult
    public static func release() -> Bool {
        guard let trim = mallocTrim else { return false }
        return trim(0) == 1
    }

    /// glibc's `malloc_trim`, looked up at run time: its header is not in Swift's Glibc
    /// module, and other C libraries (musl) have none.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Caps glibc's malloc arenas at `count` (`mallopt(M_ARENA_MAX)`) unless the
    /// operator set `MALLOC_ARENA_MAX`. glibc's default, eight per core, gives every
    /// thread that contends its own arena, and each keeps its own freed memory: with
    /// Swift's pool, NIO's event loops and the blocking-work threads, a third of the
    /// server's resident size under a remote-write feed was arenas' free space.
    /// Call before the server's threads start. Returns whether the cap was set.
    @discardableResult
    public static func limitArenas(to count: Int, environment: [String: String]) -> Bool {
        precondition(count > 0, "at least one arena")
        guard environment["MALLOC_ARENA_MAX"] == nil, let mallopt = mallocOption else { return false }
        return mallopt(arenaMaxParameter, Int32(clamping: count)) == 1
    }

    /// Arenas per core `limitArenas` is given by the servers: the peak resident size of
    /// `tools/bench-remote-write-catchup` fell from 583–642 to 508–528 MiB with 2 per
    /// core (2 cores), its ingest time unchanged; 1 per core gave 403–413 MiB and an
    /// ingest up to a fifth slower.
    public static let arenasPerCore = 2

    /// `M_ARENA_MAX` of glibc's malloc.h.
    private static let arenaMaxParameter: Int32 = -8

    private static let mallocOption: (@convention(c) (Int32, Int32) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int32) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// The process's resident bytes (`/proc/self/statm`), nil where it cannot be read.
    public static func residentBytes(source: some ProcSource = SystemProcSource()) -> UInt64? {
        guard let statm = try? source.read("/proc/self/statm") else { return nil }
        return try? ProcessUsage.residentBytes(selfStatm: statm, pageSizeBytes: source.pageSizeBytes)
    }
}

/// Releases freed memory to the system every `interval` (`--memory-release-interval`):
/// the resident size then follows what the server holds, not its last peak, as Go's
/// scavenger does for Prometheus.
public struct FreedMemoryReleaser<C: Clock>: Service where C.Duration == Duration {
    public let interval: Duration
    private let clock: C
    private let logger: Logger

    public init(interval: Duration, clock: C, logger: Logger) {
        precondition(interval > .zero, "the release interval must be positive")
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // Shutdown interrupts the sleep: the normal end of the loop, not an error.
            while (try? await clock.sleep(for: interval)) != nil {
                let began = ContinuousClock.now
                let (before, after) = (try? await BlockingWork.run {
                    (FreedMemory.residentBytes(), FreedMemory.release() ? FreedMemory.residentBytes() : nil)
                }) ?? (nil, nil)
                guard let before, let after, before >= after + (1 << 20) else { continue }
                logger.debug("released freed memory", metadata: [
                    "residentBeforeMiB": "\(before >> 20)", "residentAfterMiB": "\(after >> 20)", "took": "\(ContinuousClock.now - began)",
                ])
            }
        }
    }
}
