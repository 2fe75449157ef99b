import ServiceLifecycle

/// Moves a playing replay's cursor with wall time: every `tickInterval` by the time that
/// passed (at `max` speed, tick after tick without waiting). Waits for a `play` while
/// paused. Stops at graceful shutdown.
public struct ReplayDriver<C: Clock>: Service where C.Duration == Duration {
    let engine: ReplayEngine
    let clock: C
    let tickInterval: Duration

    public init(engine: ReplayEngine, clock: C, tickInterval: Duration = .milliseconds(100)) {
        precondition(tickInterval > .zero, "the tick interval must be positive")
        self.engine = engine
        self.clock = clock
        self.tickInterval = tickInterval
    }

    public func run() async throws {
        let engine = self.engine
        try? await cancelWhenGracefulShutdown {
            var wakes = engine.wakes.makeAsyncIterator()
            var last = clock.now
            while !Task.isCancelled {
                guard await engine.isPlaying else {
                    guard await wakes.next() != nil else { return }
                    last = clock.now
                    continue
                }
                if await engine.currentSpeed == .max {
                    await engine.advance(wallElapsedNs: 0)
                    await Task.yield()
                    last = clock.now
                    continue
                }
                try await clock.sleep(until: last.advanced(by: tickInterval), tolerance: nil)
                let now = clock.now
                let elapsed = last.duration(to: now)
                last = now
                await engine.advance(wallElapsedNs: Self.nanoseconds(elapsed))
            }
        }
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue + attoseconds / 1_000_000_000
    }
}
