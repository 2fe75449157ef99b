import EventStore
import Hummingbird
import Logging
import Projections
import ServiceLifecycle
import Runtime

/// `tacho serve` assembled: the engine, the router with every controller, and the
/// services in the order that makes graceful shutdown quick and lossless.
///
/// Services start in list order and stop in reverse: the demo and the collector
/// stop appending, the keep-alive ends every open stream, the HTTP server then
/// drains (no stream holds it), the stream publisher stops, and the engine goes
/// last: it lets the fold reach the log's end, writes a checkpoint, flushes and
/// fsyncs the log.
public struct TachoApp: Sendable {
    public let engine: Engine
    public let options: ServerOptions
    public let info: ServerInfo
    public let broadcaster: SSEBroadcaster
    public let assets: DashboardAssets?
    /// The publisher (a leader) or the applier (a follower); nil standing alone.
    public let replication: ReplicationNode?
    /// The live rule groups' states (`--rules` with a Prometheus rule file), which
    /// Prometheus's `/api/v1/rules` and `/api/v1/alerts` answer.
    let ruleStatus: RuleStatusBoard
    /// The `--scrape` targets' health, which Prometheus's `/api/v1/targets` answers.
    let scrapeStatus: ScrapeStatusBoard
    let logger: Logger

    public init(
        engine: Engine, options: ServerOptions, info: ServerInfo, assets: DashboardAssets?, replication: ReplicationNode? = nil,
        logger: Logger = Logger(label: "tacho")
    ) {
        self.engine = engine
        self.replication = replication
        self.options = options
        self.info = info
        self.assets = assets
        self.logger = logger
        self.broadcaster = SSEBroadcaster(limits: options.sseBufferLimits, clientsMax: options.sseClientsMax, metrics: engine.metrics)
        self.ruleStatus = RuleStatusBoard(options.prometheusRules)
        self.scrapeStatus = ScrapeStatusBoard(
            targets: options.scrapeTargets.compactMap(ScrapeTarget.init(url:)), job: options.scrapeJob,
            intervalMs: Int64(options.scrapeIntervalMs), timeoutMs: Int64(options.scrapeTimeoutMs))
    }

    /// Opens the data directory of `options` and recovers.
    public static func open(options: ServerOptions, startedAtNs: Int64 = EventTime.nowNs(), logger: Logger = Logger(label: "tacho")) async throws -> TachoApp {
        try options.validate()
        try RetentionGuard.check(options, nowNs: startedAtNs)
        let engine = try await Engine.open(
            dataDirectory: options.dataDirectory, logOptions: logOptions(options), hostOptions: hostOptions(options), logger: logger)
        var replication: ReplicationNode?
        do {
            if let role = options.replication { replication = try await ReplicationNode.start(role, log: engine.log, logger: logger) }
        } catch {
            try? await engine.log.close()
            throw error
        }
        let info = ServerInfo(dataDirectory: options.dataDirectory, demo: options.demo, startedAtNs: startedAtNs)
        return TachoApp(
            engine: engine, options: options, info: info, assets: try DashboardAssets.packaged(), replication: replication, logger: logger)
    }

    static func logOptions(_ options: ServerOptions) -> LogOptions {
        var log = LogOptions()
        log.fsync = switch options.fsync {
        case .always: .always
        case .interval(let milliseconds): .interval(milliseconds: milliseconds)
        case .never: .never
        }
        log.retentionAgeNs = options.retentionSeconds.map { $0 * EventTime.nanosPerSecond }
        log.retentionFutureToleranceNs = options.maxFutureMs * 1_000_000
        log.retentionBytesMax = options.retentionBytesMax
        log.decodedSampleCacheBytes = options.queryCacheBytes
        return log
    }

    static func hostOptions(_ options: ServerOptions) -> HostOptions {
        var host = HostOptions()
        // The stream publisher drains updates in bursts; a deep buffer keeps a burst
        // of small batches from dropping the event types of one of them.
        host.updatesBufferedMax = 4096
        if case .follower = options.replication { host.appendsRaisedAlerts = false }
        if let rules = options.rules { host.rules = rules }
        host.checkpointInterval = .milliseconds(options.checkpointIntervalMs)
        return host
    }

    /// The event times every ingest path accepts at server time `nowNs`: nothing more
    /// than `--max-future` ahead, nothing older than the log's newest event time minus
    /// the retention (see DESIGN.md, "Event time").
    public func acceptedEventTimes(nowNs: Int64) -> EventTimeBounds.Accepted {
        options.eventTimeBounds.accepted(nowNs: nowNs, newestEventNs: engine.log.newestEventTimeNs)
    }

    /// Every local write: appends, waits for JetStream on a replicated leader, refuses on a follower.
    var appender: NodeAppender { NodeAppender(engine: engine, node: replication) }

    /// The PromQL queries of the router and of every connection (`PromQueryHandler`).
    var promQueries: PromQueries { PromQueries(log: engine) }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ErrorJSONMiddleware())
        // The native ingest and the ways services already send metrics (docs/ingest.md)
        // go through one pipeline: token, body limit, event-time bounds, append.
        ViewRoutes.addLive(
            feed: engine, appender: appender, pipeline: ingestPipeline(), info: info, metrics: engine.metrics,
            replication: replication.map { [$0.status] } ?? [], broadcaster: broadcaster, options: options, queries: promQueries, ruleStatus: ruleStatus,
            scrapeStatus: scrapeStatus, to: router)
        webSocketStream.addRoutes(to: router)
        if let assets { DashboardController(assets: assets).addRoutes(to: router) }
        return router
    }

    /// The one ingest path of every format: the engine's append behind the token, the
    /// body limit and the event-time bounds.
    public func ingestPipeline() -> IngestPipeline {
        let appender = self.appender
        return IngestPipeline(
            append: { try await appender.append($0) }, bodyBytesMax: options.bodyBytesMax, token: options.token, metrics: engine.metrics,
            acceptedTimes: { [self] in acceptedEventTimes(nowNs: $0) })
    }

    /// The services of a running server. `onListening` gets the bound port (the one
    /// the system picked when `options.port` is 0).
    public func services(onListening: @escaping @Sendable (Int) async -> Void) -> [any Service] {
        let options = self.options
        let metrics = engine.metrics
        let gate = ConnectionGate(connectionsMax: options.connectionsMax, metrics: metrics)
        let queries = promQueries
        let server = HTTPServer(router: router(), host: options.host, port: options.port, logger: logger, onListening: onListening) { responder in
            connection(
                responder: responder, gate: gate, headTimeoutMs: options.requestHeadTimeoutMs,
                additionalHTTPHandlers: options.connectionHandlers(metrics: metrics, queries: queries))
        }
        let clock = ContinuousClock()
        let engine = self.engine
        let appender = self.appender
        var services: [any Service] = [engine]
        // Stops after the HTTP server (waiting acknowledgements are answered), before the engine closes the log.
        if let replication { services.append(replication.service) }
        services += [
            LiveStreamService(feed: engine, broadcaster: broadcaster, clock: clock, logger: logger),
            server,
            SSEKeepAlive(broadcaster: broadcaster, interval: .milliseconds(options.sseKeepAliveMs), clock: clock),
        ]
        if options.memoryReleaseIntervalMs > 0 {
            services.append(FreedMemoryReleaser(interval: .milliseconds(options.memoryReleaseIntervalMs), clock: clock, logger: logger))
        }
        if options.collectsHostVitals {
            services.append(HostCollector(
                interval: .milliseconds(options.collectIntervalMs), clock: clock, logger: logger,
                sink: { _ = try await appender.append($0) }))
        }
        if options.demo {
            services.append(DemoRunner(
                seed: options.demoSeed, emitsHostVitals: !options.collectsHostVitals, clock: clock, logger: logger,
                sink: { _ = try await appender.append($0) }))
        }
        if !options.scrapeTargets.isEmpty {
            services.append(PrometheusScraper(
                targets: options.scrapeTargets.compactMap(ScrapeTarget.init(url:)), job: options.scrapeJob,
                interval: .milliseconds(options.scrapeIntervalMs), timeout: .milliseconds(options.scrapeTimeoutMs),
                pipeline: ingestPipeline(), clock: clock, logger: logger, board: scrapeStatus))
        }
        if !options.prometheusRules.isEmpty {
            services.append(LiveAlertRules(
                groups: options.prometheusRules, log: engine, ledger: engine, appender: appender, board: ruleStatus, logger: logger))
        }
        if let statsdPort = options.statsdPort {
            services.append(StatsDServer(host: options.host, port: statsdPort, pipeline: ingestPipeline(), clock: clock, logger: logger))
        }
        return services
    }

    /// Runs until SIGINT or SIGTERM (when `handlesSignals`) or cancellation; a
    /// graceful stop takes at most `shutdownMaxMs` (default: `--shutdown-timeout`)
    /// before what is left is cancelled.
    public func run(
        handlesSignals: Bool = true, shutdownMaxMs: Int? = nil, onListening: @escaping @Sendable (Int) async -> Void
    ) async throws {
        try await serviceGroup(handlesSignals: handlesSignals, shutdownMaxMs: shutdownMaxMs, onListening: onListening).run()
    }

    /// How long cancelled services may take to end after the graceful stop ran out.
    public static let cancellationMaxMs = 5000

    /// The service group `run` runs; tests call `triggerGracefulShutdown()` on it.
    public func serviceGroup(
        handlesSignals: Bool = true, shutdownMaxMs: Int? = nil, onListening: @escaping @Sendable (Int) async -> Void
    ) -> ServiceGroup {
        Self.serviceGroup(services(onListening: onListening), handlesSignals: handlesSignals, shutdownMaxMs: shutdownMaxMs ?? options.shutdownTimeoutMs, logger: logger)
    }

    /// The group every server mode runs its services in: started in order, stopped in
    /// reverse on SIGTERM or SIGINT (when `handlesSignals`), the graceful stop bounded
    /// by `shutdownMaxMs`.
    static func serviceGroup(_ services: [any Service], handlesSignals: Bool, shutdownMaxMs: Int, logger: Logger) -> ServiceGroup {
        var configuration = ServiceGroupConfiguration(services: services.map { .init(service: $0) }, logger: logger)
        if handlesSignals { configuration.gracefulShutdownSignals = [.sigterm, .sigint] }
        configuration.maximumGracefulShutdownDuration = Duration.milliseconds(shutdownMaxMs)
        // Past this, ServiceLifecycle ends the process: generous, so a loaded machine
        // (a busy CI runner) is not mistaken for a hung service.
        configuration.maximumCancellationDuration = Duration.milliseconds(Self.cancellationMaxMs)
        return ServiceGroup(configuration: configuration)
    }
}
