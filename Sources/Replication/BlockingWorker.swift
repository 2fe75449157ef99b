import NIOPosix

/// One thread of its own for calls that block on the network or the disk (the NATS
/// client's round trips, segment reads), so they never hold Swift's cooperative pool.
final class BlockingWorker: Sendable {
    private let pool: NIOThreadPool

    init() {
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// Runs `body` on the worker's thread and returns what it returned or threw.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    func shutdown() async {
        try? await pool.shutdownGracefully()
    }
}
