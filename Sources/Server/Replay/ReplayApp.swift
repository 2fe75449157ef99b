import EventStore
import Hummingbird
import Logging
import Projections
import ServiceLifecycle

/// `tacho replay --serve` assembled: the dashboard and the read API over a recorded
/// data directory, opened read-only, with the views as of a replay cursor; the replay
/// control API; the stream paced by event time. Nothing is ever written.
///
/// Services stop in reverse order: the keep-alive ends every open stream, the HTTP
/// server drains, then the driver stops moving the cursor.
public struct ReplayApp: Sendable {
    public let engine: ReplayEngine
    public let options: ServerOptions
    public let info: ServerInfo
    public let broadcaster: SSEBroadcaster
    public let assets: DashboardAssets?
    let publisher: ReplayPublisher
    let logger: Logger

    /// Opens `dataDirectory` read-only and folds the range's first instant. `options`
    /// gives the address and the stream's limits; its data-directory and write settings
    /// are not used.
    public static func open(
        dataDirectory: String, fromNs: Int64? = nil, toNs: Int64? = nil, speed: PlaybackSpeed = .factor(1), playing: Bool = true,
        options: ServerOptions = ServerOptions(), replayOptions: ReplayOptions = ReplayOptions(),
        assets: DashboardAssets? = nil, startedAtNs: Int64 = EventTime.nowNs(), logger: Logger = Logger(label: "tacho.replay")
    ) async throws -> ReplayApp {
        var checked = options
        checked.dataDirectory = dataDirectory
        // Port 0 asks the system for a free port; ServerOptions checks 1...65535.
        if checked.port == 0 { checked.port = 1 }
        try checked.validate()
        let source = try ReplaySource.open(directory: dataDirectory, fromNs: fromNs, toNs: toNs)
        let engine = try ReplayEngine(source: source, speed: speed, playing: playing, options: replayOptions)
        let broadcaster = SSEBroadcaster(limits: options.sseBufferLimits, clientsMax: options.sseClientsMax)
        let publisher = ReplayPublisher(broadcaster: broadcaster, initial: engine.currentSnapshot(), logger: logger)
        await engine.attach(publisher)
        var served = options
        served.dataDirectory = dataDirectory
        return ReplayApp(
            engine: engine, options: served,
            info: ServerInfo(dataDirectory: dataDirectory, demo: false, mode: "replay", startedAtNs: startedAtNs),
            broadcaster: broadcaster, assets: try assets ?? DashboardAssets.packaged(), publisher: publisher, logger: logger)
    }

    /// Grafana and promtool read the recording; a query without a time asks at the
    /// cursor. The router's and every connection's (`PromQueryHandler`).
    var promQueries: PromQueries {
        let engine = self.engine
        return PromQueries(log: engine, defaultTimeNs: { engine.status().cursorNs })
    }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorJSONMiddleware())
        // The write routes are the replay controller's refusals, never the live ones.
        let refused = ReplayRefusedAppender()
        ViewRoutes.add(reader: engine, info: info, to: router)
        FaultToleranceController<BasicRequestContext>(reader: engine, appender: refused).addRoutes(to: router)
        PerformanceController<BasicRequestContext>(reader: engine, appender: refused).addRoutes(to: router)
        ReplayController(engine: engine, broadcaster: broadcaster, retryMs: options.sseRetryMs).addRoutes(to: router)
        PromAPIController<BasicRequestContext>(queries: promQueries).addRoutes(to: router)
        if let assets { DashboardController(assets: assets).addRoutes(to: router) }
        return router
    }

    /// The services of a running replay server; `onListening` gets the bound port.
    public func services<C: Clock>(clock: C, onListening: @escaping @Sendable (Int) async -> Void) -> [any Service] where C.Duration == Duration {
        // The same connection bounds as `tacho serve` (without metrics: a replay has no /metrics).
        let options = self.options
        let queries = promQueries
        let gate = ConnectionGate(connectionsMax: options.connectionsMax)
        let server = HTTPServer(router: router(), host: options.host, port: options.port, logger: logger, onListening: onListening) { responder in
            .http1(responder: responder, gate: gate, headTimeoutMs: options.requestHeadTimeoutMs) {
                options.connectionHandlers(metrics: nil, queries: queries)
            }
        }
        var services: [any Service] = [
            ReplayDriver(engine: engine, clock: clock),
            server,
            SSEKeepAlive(broadcaster: broadcaster, interval: .milliseconds(options.sseKeepAliveMs), clock: clock),
        ]
        if options.memoryReleaseIntervalMs > 0 {
            services.append(FreedMemoryReleaser(interval: .milliseconds(options.memoryReleaseIntervalMs), clock: clock, logger: logger))
        }
        return services
    }

    /// The service group `run` runs; tests call `triggerGracefulShutdown()` on it.
    public func serviceGroup(
        handlesSignals: Bool = true, shutdownMaxMs: Int = 1500, onListening: @escaping @Sendable (Int) async -> Void
    ) -> ServiceGroup {
        TachoApp.serviceGroup(services(clock: ContinuousClock(), onListening: onListening), handlesSignals: handlesSignals, shutdownMaxMs: shutdownMaxMs, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM (when `handlesSignals`) or cancellation.
    public func run(handlesSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        try await serviceGroup(handlesSignals: handlesSignals, onListening: onListening).run()
    }
}

/// The appender a replay's controllers get: every append is refused. The write routes
/// are not registered on a replay server (`ReplayController` answers them), so this is
/// a second lock, not the path a request takes.
struct ReplayRefusedAppender: EventAppending {
    func append(_ events: [Event]) async throws -> ClosedRange<UInt64> {
        throw APIError(.conflict, error: "read-only", detail: "this server replays a recorded data directory, which is read-only; nothing was appended")
    }
}
