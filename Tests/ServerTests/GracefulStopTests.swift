import Logging
@testable import Server
import ServiceLifecycle
import Synchronization
import Testing

/// The graceful stop's budget (`--shutdown-timeout`) must cover the views' last
/// checkpoint. It was 1.5 s: on a full disk under ThreadSanitizer the engine's stop
/// took longer, the group cancelled it, and a cancellation past ServiceLifecycle's own
/// limit ended the process with a trap (FullDiskTests' intermittent exit status).
@Suite struct GracefulStopTests {
    /// A service whose graceful stop takes `stopMs` of work (as a large checkpoint does),
    /// noting whether it ran to its end or was cancelled.
    final class SlowStoppingService: Service {
        let stopMs: Int
        let outcome = Mutex<String?>(nil)

        init(stopMs: Int) { self.stopMs = stopMs }

        func run() async throws {
            try? await gracefulShutdown()
            do {
                try await Task.sleep(for: .milliseconds(stopMs))
                outcome.withLock { $0 = "finished" }
            } catch {
                outcome.withLock { $0 = "cancelled" }
            }
        }
    }

    static func stop(stopMs: Int, budgetMs: Int) async throws -> String? {
        let service = SlowStoppingService(stopMs: stopMs)
        let group = TachoApp.serviceGroup([service], handlesSignals: false, shutdownMaxMs: budgetMs, logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        return service.outcome.withLock { $0 }
    }

    @Test func theDefaultBudget_letsAStopThatTakesSecondsFinish_notCancelIt() async throws {
        #expect(ServerOptions().shutdownTimeoutMs >= 10_000)
        #expect(try await Self.stop(stopMs: 2_000, budgetMs: ServerOptions().shutdownTimeoutMs) == "finished")
    }

    @Test func aStopPastTheBudget_isCancelled_andTheGroupStillEnds() async throws {
        #expect(try await Self.stop(stopMs: 60_000, budgetMs: 200) == "cancelled")
    }

    @Test func serverOptions_refuseAShutdownTimeoutOutOfRange() {
        var options = ServerOptions()
        options.shutdownTimeoutMs = 50
        #expect(throws: ServerOptionsError.self) { try options.validate() }
        options.shutdownTimeoutMs = 700_000
        #expect(throws: ServerOptionsError.self) { try options.validate() }
    }
}
