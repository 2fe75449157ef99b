import EventStore
import Logging
import ServiceLifecycle

/// Plays the demo workload in real time for `tacho serve --demo`: each second of the
/// clock, the next simulated second is handed to `sink` (the log's append). A failing
/// sink is logged and that second dropped; the simulation keeps its own pace.
public struct DemoRunner<C: Clock>: Service where C.Duration == Duration {
    public typealias Sink = @Sendable ([Event]) async throws -> Void

    private let seed: UInt64
    private let emitsHostVitals: Bool
    private let clock: C
    private let logger: Logger
    private let nowNs: @Sendable () -> Int64
    private let sink: Sink

    public init(
        seed: UInt64, emitsHostVitals: Bool, clock: C, logger: Logger,
        nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }, sink: @escaping Sink
    ) {
        self.seed = seed
        self.emitsHostVitals = emitsHostVitals
        self.clock = clock
        self.logger = logger
        self.nowNs = nowNs
        self.sink = sink
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // Whole seconds of wall time, so simulated seconds line up with real ones.
            let startNs = nowNs() / EventTime.nanosPerSecond * EventTime.nanosPerSecond
            var workload = DemoWorkload(seed: seed, startTimeNs: startNs, emitsHostVitals: emitsHostVitals)
            var deadline = clock.now
            var failing = false
            while !Task.isCancelled {
                do {
                    try await sink(workload.nextSecond())
                    failing = false
                } catch is CancellationError {
                    return
                } catch {
                    if !failing { logger.error("demo: appending a simulated second failed: \(error); continuing") }
                    failing = true
                }
                deadline = deadline.advanced(by: .seconds(1))
                // Shutdown interrupts the sleep: the normal end of the demo, not an error.
                guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
            }
        }
    }
}
