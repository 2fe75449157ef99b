import ServiceLifecycle

/// Sends a `: keep-alive` comment to every live-stream client each interval, so
/// proxies and browsers keep idle streams open; on graceful shutdown it ends every
/// stream, so the server can stop in time even with clients connected.
public struct SSEKeepAlive<C: Clock>: Service where C.Duration == Duration {
    public let interval: Duration
    private let clock: C
    private let broadcaster: SSEBroadcaster

    public init(broadcaster: SSEBroadcaster, interval: Duration = .seconds(15), clock: C) {
        precondition(interval > .zero, "the keep-alive interval must be positive")
        self.broadcaster = broadcaster
        self.interval = interval
        self.clock = clock
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            // Shutdown interrupts the sleep: the normal end of the loop, not an error.
            while (try? await clock.sleep(for: interval)) != nil {
                await broadcaster.broadcastKeepAlive()
            }
        }
        await broadcaster.finishAll()
    }
}
