import Hummingbird
import Replication

/// Route sets every server mode registers the same way: the live server, a replay
/// and a follower of several streams differ in the reader and appender behind them.
enum ViewRoutes {
    /// The read-only view routes: health, topology, metrics, system, history, every
    /// view at once, and the log's shape and annotations.
    static func add(reader: any ViewReading & MetricScanning, info: ServerInfo, to router: Router<BasicRequestContext>) {
        HealthController(reader: reader).addRoutes(to: router)
        TopologyController(reader: reader).addRoutes(to: router)
        MetricsController(reader: reader).addRoutes(to: router)
        SystemController(reader: reader).addRoutes(to: router)
        HistoryController(reader: reader).addRoutes(to: router)
        ViewsController(reader: reader).addRoutes(to: router)
        LogController(reader: reader, info: info).addRoutes(to: router)
    }

    /// The ingest routes of every format (docs/ingest.md), through one pipeline.
    static func addIngest(pipeline: IngestPipeline, to router: Router<BasicRequestContext>) {
        IngestController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
        RemoteWriteController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
        PrometheusImportController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
        InfluxWriteController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
        OTLPMetricsController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
    }

    /// What a live node serves over its feed (one engine, or the merged streams of a
    /// follower of several): the view routes, the action routes (reads, and writes
    /// behind the token), the PromQL API (`queries`, which the connections answer too), `/metrics`, the live stream and every ingest
    /// format through `pipeline`, all writing through `appender`.
    static func addLive(
        feed: any UpdateFeed & MetricScanning, appender: any EventAppending, pipeline: IngestPipeline, info: ServerInfo,
        metrics: EngineMetrics, replication: [ReplicationStatus], broadcaster: SSEBroadcaster, options: ServerOptions, queries: PromQueries,
        ruleStatus: RuleStatusBoard? = nil, scrapeStatus: ScrapeStatusBoard? = nil, to router: Router<BasicRequestContext>
    ) {
        add(reader: feed, info: info, to: router)
        let faultTolerance = FaultToleranceController<BasicRequestContext>(reader: feed, appender: appender)
        faultTolerance.addRoutes(to: router)
        let performance = PerformanceController<BasicRequestContext>(reader: feed, appender: appender)
        performance.addRoutes(to: router)
        let performanceAlerts = PerformanceAlertsController<BasicRequestContext>(reader: feed, appender: appender)
        performanceAlerts.addRoutes(to: router)
        PromAPIController(queries: queries, rules: ruleStatus, targets: scrapeStatus).addRoutes(to: router)
        ConnectionsController(reader: feed).addRoutes(to: router)
        PrometheusController(reader: feed, metrics: metrics, replication: replication).addRoutes(to: router)
        StreamController(feed: feed, broadcaster: broadcaster, retryMs: options.sseRetryMs).addRoutes(to: router)
        addIngest(pipeline: pipeline, to: router)
        let writes = router.group().add(middleware: BearerTokenMiddleware(token: BearerToken(options.token)) {
            metrics.recordIngestError(.unauthorized)
        })
        faultTolerance.addWriteRoutes(to: writes)
        performance.addWriteRoutes(to: writes)
        performanceAlerts.addWriteRoutes(to: writes)
    }
}
