import EventStore
import Foundation
import Hummingbird
import Logging
import Projections
import Replication
import ServiceLifecycle

/// `tacho serve --follow URLS --replicate-stream EU,US`: a read-only node that follows
/// several leaders' streams (sources sharded across leaders by label) and serves
/// their views merged (`ShardSet`): the read API, `?at=` time travel, the PromQL API,
/// `/metrics`, the live stream and the dashboard.
///
/// Each stream is kept as its own log under `DATA/streams/<stream>/`, with the
/// leader's offsets, exactly as a follower of that stream alone would keep it: a
/// shard's directory can be served, verified or restored on its own. Writes answer
/// 409 (each naming the leaders known). Not offered here: resuming the live stream
/// from an offset (a reconnecting client gets every view whole), the WebSocket
/// stream, and the alert rules (each leader evaluates its own and its alerts arrive
/// with its stream).
///
/// Services stop in reverse order: the keep-alive ends the streams, the HTTP server
/// drains, the stream publisher stops, the followers stop applying, and the engines
/// close their logs last.
public struct ShardFollowerApp: Sendable {
    public let shards: ShardSet
    public let followers: [LogFollower]
    public let options: ServerOptions
    public let info: ServerInfo
    public let broadcaster: SSEBroadcaster
    public let assets: DashboardAssets?
    public let metrics: EngineMetrics
    let logger: Logger

    /// The directory that holds one log per stream, under the data directory.
    public static func streamsDirectory(_ dataDirectory: String) -> String { dataDirectory + "/streams" }

    /// Opens (creating when absent) one log per stream and recovers each one's views.
    /// `streams` are the followed streams' options (same cluster, one stream each).
    public static func open(
        options: ServerOptions, streams: [ReplicationOptions], startedAtNs: Int64 = EventTime.nowNs(),
        logger: Logger = Logger(label: "tacho")
    ) async throws -> ShardFollowerApp {
        precondition(streams.count >= 2, "a follower of one stream is TachoApp's follower role")
        try options.validate()
        guard Set(streams.map(\.stream)).count == streams.count else {
            throw ShardFollowerError(detail: "a stream is named twice in \(streams.map(\.stream))")
        }
        // A directory a single-stream node wrote holds its log at the top: refuse it
        // rather than serve it beside, or in place of, the streams.
        if FileManager.default.fileExists(atPath: options.dataDirectory + "/log") {
            throw ShardFollowerError(detail: "\(options.dataDirectory) holds the log of a single-stream node; follow several streams into another directory")
        }
        let metrics = EngineMetrics()
        var hostOptions = TachoApp.hostOptions(options)
        hostOptions.appendsRaisedAlerts = false
        var shards: [ShardSet.Shard] = []
        var followers: [LogFollower] = []
        do {
            for stream in streams {
                let directory = ShardSet.directory(of: stream.stream, in: streamsDirectory(options.dataDirectory))
                var shardOptions = options
                shardOptions.dataDirectory = directory
                try RetentionGuard.check(shardOptions, nowNs: startedAtNs)
                let engine = try await Engine.open(
                    dataDirectory: directory, logOptions: TachoApp.logOptions(options), hostOptions: hostOptions, metrics: metrics,
                    logger: logger)
                shards.append(ShardSet.Shard(stream: stream.stream, engine: engine))
                followers.append(try LogFollower(log: engine.log, options: stream, logger: logger))
            }
        } catch {
            for follower in followers { await follower.shutdown() }
            for shard in shards { try? await shard.engine.log.close() }
            throw error
        }
        let set = ShardSet(dataDirectory: options.dataDirectory, shards: shards)
        return ShardFollowerApp(
            shards: set, followers: followers, options: options,
            info: ServerInfo(dataDirectory: options.dataDirectory, demo: false, startedAtNs: startedAtNs),
            broadcaster: SSEBroadcaster(limits: options.sseBufferLimits, clientsMax: options.sseClientsMax, metrics: metrics),
            assets: try DashboardAssets.packaged(), metrics: metrics, logger: logger)
    }

    /// Every write is refused: this node takes its data from the streams.
    var appender: ShardFollowerRefusal { ShardFollowerRefusal(followers: followers) }

    /// The PromQL queries of the router and of every connection (`PromQueryHandler`).
    var promQueries: PromQueries { PromQueries(log: shards) }

    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let appender = self.appender
        router.add(middleware: ErrorJSONMiddleware())
        let pipeline = IngestPipeline(
            append: { try await appender.append($0) }, bodyBytesMax: options.bodyBytesMax, token: options.token, metrics: metrics)
        ViewRoutes.addLive(
            feed: shards, appender: appender, pipeline: pipeline, info: info, metrics: metrics, replication: followers.map(\.status),
            broadcaster: broadcaster, options: options, queries: promQueries, to: router)
        if let assets { DashboardController(assets: assets).addRoutes(to: router) }
        return router
    }

    /// The services of the running node; `onListening` gets the bound port.
    public func services(onListening: @escaping @Sendable (Int) async -> Void) -> [any Service] {
        let options = self.options
        let metrics = self.metrics
        let queries = promQueries
        let gate = ConnectionGate(connectionsMax: options.connectionsMax, metrics: metrics)
        let server = HTTPServer(router: router(), host: options.host, port: options.port, logger: logger, onListening: onListening) { responder in
            .http1(responder: responder, gate: gate, headTimeoutMs: options.requestHeadTimeoutMs) {
                options.connectionHandlers(metrics: metrics, queries: queries)
            }
        }
        let clock = ContinuousClock()
        var services: [any Service] = shards.shards.map(\.engine)
        services += followers.map { ReplicationNode.follower($0).service }
        services += [
            LiveStreamService(feed: shards, broadcaster: broadcaster, clock: clock, logger: logger),
            server,
            SSEKeepAlive(broadcaster: broadcaster, interval: .milliseconds(options.sseKeepAliveMs), clock: clock),
        ]
        return services
    }

    /// The service group `run` runs; tests call `triggerGracefulShutdown()` on it.
    public func serviceGroup(
        handlesSignals: Bool = true, shutdownMaxMs: Int? = nil, onListening: @escaping @Sendable (Int) async -> Void
    ) -> ServiceGroup {
        TachoApp.serviceGroup(services(onListening: onListening), handlesSignals: handlesSignals, shutdownMaxMs: shutdownMaxMs ?? options.shutdownTimeoutMs, logger: logger)
    }

    /// Runs until SIGINT or SIGTERM (when `handlesSignals`) or cancellation.
    public func run(handlesSignals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void) async throws {
        try await serviceGroup(handlesSignals: handlesSignals, onListening: onListening).run()
    }
}

/// A follower of several streams cannot be opened as asked.
public struct ShardFollowerError: Error, CustomStringConvertible {
    public let detail: String
    public var description: String { detail }
}

/// The appender of a follower of several streams: every write is refused with 409,
/// naming the leaders whose addresses the streams told.
struct ShardFollowerRefusal: EventAppending {
    let followers: [LogFollower]

    func append(_ events: [Event]) async throws -> ClosedRange<UInt64> {
        let leaders = followers.compactMap { follower in
            follower.status.snapshot().leaderURL.map { "\(follower.options.stream) at \($0)" }
        }
        throw APIError(
            .conflict, error: "read-only follower",
            detail: "this node follows streams \(followers.map(\.options.stream).joined(separator: ", ")) and takes no writes; "
                + "send them to the leader that owns their source"
                + (leaders.isEmpty ? " (no leader's address is known yet)" : ": " + leaders.joined(separator: "; ")))
    }
}
