import Dispatch

/// Work that reads the log (`pread` of whole segments' worth) or computes for long,
/// moved off Swift's cooperative pool, whose few threads must stay free for
/// requests: PromQL queries, the live stream's resume scan, annotation reads.
enum BlockingWork {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
        }
    }
}
