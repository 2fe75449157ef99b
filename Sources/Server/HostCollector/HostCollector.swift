import EventStore
import Logging
import ServiceLifecycle

/// Samples the host's vitals every `interval` and hands them to `sink` (the log's
/// append). A file that cannot be read — no `/proc` on this system — is logged once
/// and the collector carries on with what it can read; a failing sink is logged and
/// the next interval tries again.
public struct HostCollector<C: Clock>: Service where C.Duration == Duration {
    public typealias Sink = @Sendable ([Event]) async throws -> Void

    public let interval: Duration
    private let clock: C
    private let source: any ProcSource
    private let logger: Logger
    private let nowNs: @Sendable () -> Int64
    private let sink: Sink

    public init(
        interval: Duration, clock: C, source: any ProcSource = SystemProcSource(), logger: Logger,
        nowNs: @escaping @Sendable () -> Int64 = { EventTime.nowNs() }, sink: @escaping Sink
    ) {
        precondition(interval > .zero, "the collect interval must be positive")
        self.interval = interval
        self.clock = clock
        self.source = source
        self.logger = logger
        self.nowNs = nowNs
        self.sink = sink
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.loop()
        }
    }

    private func loop() async throws {
        var sampler = HostVitalsSampler()
        var reported: Set<String> = []
        var sinkFailing = false
        var deadline = clock.now
        while !Task.isCancelled {
            let sample = sampler.sample(from: source, timeNs: nowNs())
            for failure in sample.failures where reported.insert(String(describing: failure)).inserted {
                logger.warning("host collector: \(failure); carrying on without it")
            }
            if !sample.events.isEmpty {
                do {
                    try await sink(sample.events)
                    sinkFailing = false
                } catch is CancellationError {
                    return
                } catch {
                    if !sinkFailing { logger.error("host collector: appending vitals failed: \(error); will retry next interval") }
                    sinkFailing = true
                }
            }
            // Deadlines, not sleeps of `interval`, so samples do not drift later and later.
            deadline = deadline.advanced(by: interval)
            if deadline < clock.now { deadline = clock.now }
            // Shutdown interrupts the sleep: that is this loop's normal end, not an error
            // (a thrown error would make the service group cancel the orderly shutdown).
            guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
        }
    }
}
