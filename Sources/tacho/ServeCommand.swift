import ArgumentParser
import EventStore
import Foundation
import Logging
import Server

/// `tacho serve`: recover the data directory, then serve the API, the live stream,
/// `/metrics` and the dashboard until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the dashboard, the JSON API, the live stream and /metrics over a data directory.")

    @Option(name: .long, help: "The data directory.")
    var data: String = "./.tacho"

    @Option(name: .long, help: "The address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "The port to bind; 0 picks a free one (the URL printed tells which).")
    var port: Int = 8080

    @Option(name: .long, help: "Bearer token required for writes (also from TACHO_TOKEN).")
    var token: String?

    @Option(name: .long, help: "When appends are fsynced: always, interval (every second) or never.")
    var fsync: String = "interval"

    @Option(name: .long, help: ArgumentHelp(
        "Delete log segments older than this, measured back from the newest event time (e.g. 7d, 12h, 90m); 'none' keeps everything.",
        discussion: "Default 7d. Without --retention, serve refuses a directory holding data this would delete.",
        valueName: "age"))
    var retention: String?

    @Option(name: .customLong("query-cache-mib"), help: "MiB of decoded metric samples kept in memory for the next PromQL queries over the same data; 0 keeps none.")
    var queryCacheMiB: Int = DecodedSampleCache.capacityBytesDefault >> 20

    @Option(name: .customLong("max-future"), help: "Refuse events stamped more than this ahead of the server's clock (e.g. 5m).")
    var maxFuture: String = "5m"

    @Option(name: .customLong("collect-interval"), help: "How often host vitals are read from /proc (e.g. 1s, 500ms).")
    var collectInterval: String = "1s"

    @Flag(name: .long, help: "Run the seeded demo workload: one simulated second of events per second.")
    var demo = false

    @Option(name: .customLong("demo-seed"), help: "The demo workload's seed.")
    var demoSeed: UInt64 = 1

    @Flag(name: .customLong("no-collect"), help: "Do not read host vitals from /proc.")
    var noCollect = false

    @Option(name: .customLong("connections-max"), help: "Open HTTP connections beyond which new ones get 503 with Retry-After and are closed; lowered to fit the open-file limit.")
    var connectionsMax: Int = 8192

    @Option(name: .customLong("sse-clients-max"), help: "Live-stream (SSE) clients beyond which new ones are refused with 503.")
    var sseClientsMax: Int = 2000

    @Option(name: .customLong("request-head-timeout"), help: "A new connection is closed unless its request head is complete within this (e.g. 10s).")
    var requestHeadTimeout: String = "10s"

    @Option(name: .customLong("idle-timeout"), help: "A kept-alive connection is closed after this long without a next request (streams are exempt).")
    var idleTimeout: String = "60s"

    @Option(name: .customLong("request-body-timeout"), help: "A request is closed unless its body ends within this of its head.")
    var requestBodyTimeout: String = "60s"
    @Option(name: .customLong("shutdown-timeout"), help: "A graceful stop (SIGTERM, SIGINT), the views' last checkpoint included, may take this long before what is left is cancelled.")
    var shutdownTimeout: String = "25s"

    @Option(name: .customLong("checkpoint-interval"), help: "A checkpoint of the views is written at least this often while events arrive (e.g. 60s).")
    var checkpointInterval: String = "60s"

    @Option(name: .customLong("memory-release-interval"), help: "How often memory the server freed is handed back to the system (malloc_trim), so its resident size follows what it holds and not its last peak; 0 never (e.g. 10s).")
    var memoryReleaseInterval: String = "10s"

    @Option(name: .long, help: "Prometheus /metrics URLs to scrape into the log, comma-separated.")
    var scrape: String?

    @Option(name: .customLong("scrape-interval"), help: "How often each --scrape URL is pulled (e.g. 15s).")
    var scrapeInterval: String = "15s"

    @Option(name: .customLong("scrape-timeout"), help: "How long one scrape may take (e.g. 10s); at most the interval.")
    var scrapeTimeout: String = "10s"

    @Option(name: .customLong("scrape-job"), help: "The job label of scraped series.")
    var scrapeJob: String = "scrape"

    @Option(name: .customLong("statsd-port"), help: "Receive StatsD/DogStatsD lines on this UDP port (flushed every second).")
    var statsdPort: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Alerting rules to evaluate live: a Prometheus rule file (YAML groups; alerts appended as alert/alert_resolve events) or Tacho's JSON rules (replacing the built-in ones).",
        valueName: "file"))
    var rules: String?

    @OptionGroup(title: "Replication (NATS JetStream, docs/scaling.md)")
    var replication: ReplicationArguments

    func run() async throws {
        FreedMemory.limitArenasOfAServer()
        var options = try serverOptions(environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "tacho")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        // Each connection is a descriptor: the limit must hold --connections-max beside the log's own.
        if let limit = OpenFileLimit.raiseToHard() {
            if let warning = options.fitToOpenFileLimit(softLimit: limit.soft) {
                FileHandle.standardError.write(Data("tacho: warning: \(warning)\n".utf8))
            }
        } else {
            FileHandle.standardError.write(Data("tacho: warning: cannot read the open-file limit; --connections-max \(options.connectionsMax) is not checked against it\n".utf8))
        }
        let host = options.host
        let directory = options.dataDirectory
        let announce: @Sendable (Int) async -> Void = { port in
            let shownHost = host.contains(":") ? "[\(host)]" : host
            // Written straight to the descriptor: tests read this line from a pipe at once.
            FileHandle.standardOutput.write(Data("tacho: serving http://\(shownHost):\(port)/ (data \(directory))\n".utf8))
        }
        if let shards = try replication.followedShards() {
            let app: ShardFollowerApp
            do {
                app = try await ShardFollowerApp.open(options: options, streams: shards, logger: logger)
            } catch {
                throw CommandFailure("cannot open \(options.dataDirectory): \(error)")
            }
            try await app.run(onListening: announce)
            return
        }
        let app: TachoApp
        do {
            app = try await TachoApp.open(options: options, logger: logger)
        } catch {
            throw CommandFailure("cannot open \(options.dataDirectory): \(error)")
        }
        try await app.run(onListening: announce)
    }

    func serverOptions(environment: [String: String]) throws -> ServerOptions {
        var options = ServerOptions()
        options.dataDirectory = data
        options.host = host
        options.port = port
        options.token = ServerOptions.resolveToken(flag: token, environment: environment)
        guard let fsyncPolicy = ServerOptions.Fsync(argument: fsync) else {
            throw ValidationError("--fsync '\(fsync)' is not one of always, interval, never")
        }
        options.fsync = fsyncPolicy
        options.retentionExplicit = retention != nil
        if let retention {
            if retention.lowercased() == "none" {
                options.retentionSeconds = nil
            } else {
                guard let milliseconds = DurationArgument.milliseconds(retention), milliseconds >= 1000 else {
                    throw ValidationError("--retention '\(retention)' is not a duration such as 7d, 12h or 90m")
                }
                options.retentionSeconds = milliseconds / 1000
            }
        }
        guard let maxFutureMs = DurationArgument.milliseconds(maxFuture) else {
            throw ValidationError("--max-future '\(maxFuture)' is not a duration such as 5m or 30s")
        }
        options.maxFutureMs = maxFutureMs
        guard (0...(1 << 20)).contains(queryCacheMiB) else { throw ValidationError("--query-cache-mib \(queryCacheMiB) is not within 0...1048576") }
        options.queryCacheBytes = queryCacheMiB << 20
        guard let collectMs = DurationArgument.milliseconds(collectInterval), collectMs <= Int64(Int.max) else {
            throw ValidationError("--collect-interval '\(collectInterval)' is not a duration such as 1s or 500ms")
        }
        options.collectIntervalMs = Int(collectMs)
        options.collectsHostVitals = !noCollect
        options.demo = demo
        options.demoSeed = demoSeed
        options.connectionsMax = connectionsMax
        options.sseClientsMax = sseClientsMax
        options.requestHeadTimeoutMs = try Self.timeoutMs(requestHeadTimeout, flag: "--request-head-timeout")
        options.idleTimeoutMs = try Self.timeoutMs(idleTimeout, flag: "--idle-timeout")
        options.requestBodyTimeoutMs = try Self.timeoutMs(requestBodyTimeout, flag: "--request-body-timeout")
        options.shutdownTimeoutMs = try Self.timeoutMs(shutdownTimeout, flag: "--shutdown-timeout")
        guard let checkpointMs = DurationArgument.milliseconds(checkpointInterval), checkpointMs <= Int64(Int.max) else {
            throw ValidationError("--checkpoint-interval '\(checkpointInterval)' is not a duration such as 60s or 500ms")
        }
        options.checkpointIntervalMs = Int(checkpointMs)
        guard let releaseMs = DurationArgument.milliseconds(memoryReleaseInterval), releaseMs <= Int64(Int.max) else {
            throw ValidationError("--memory-release-interval '\(memoryReleaseInterval)' is not a duration such as 10s, or 0")
        }
        options.memoryReleaseIntervalMs = Int(releaseMs)
        options.scrapeTargets = (scrape ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (flag, text) in [("--scrape-interval", scrapeInterval), ("--scrape-timeout", scrapeTimeout)] {
            guard let milliseconds = DurationArgument.milliseconds(text), milliseconds <= 86_400_000 else {
                throw ValidationError("\(flag) '\(text)' is not a duration such as 15s or 500ms")
            }
            if flag == "--scrape-interval" { options.scrapeIntervalMs = Int(milliseconds) } else { options.scrapeTimeoutMs = Int(milliseconds) }
        }
        options.scrapeJob = scrapeJob
        options.statsdPort = statsdPort
        options.replication = try replication.role()
        if let rules { try Self.loadRules(rules, into: &options) }
        // A follower's log is the leader's: it collects nothing of its own.
        if case .follower = options.replication { options.collectsHostVitals = false }
        if try replication.followedShards() != nil {
            options.collectsHostVitals = false
            // What would append, or evaluate rules over the merged views, has no log to write to.
            for (flag, given) in [("--demo", demo), ("--scrape", scrape != nil), ("--statsd-port", statsdPort != nil), ("--rules", rules != nil)] where given {
                throw ValidationError("\(flag) cannot be used with --follow of several streams: that node is read-only (each leader runs its own)")
            }
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not within 0...65535") }
        var checked = options
        if checked.port == 0 { checked.port = 1 }
        do { try checked.validate() } catch { throw ValidationError(error.description) }
        return options
    }
}

extension ServeCommand {
    /// `--rules`: a Prometheus rule file runs live beside the built-in rules; Tacho's
    /// JSON rules replace the built-in ones. Refused whole when anything is wrong.
    static func loadRules(_ path: String, into options: inout ServerOptions) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("--rules: cannot read \(path)") }
        let text = String(decoding: data, as: UTF8.self)
        do {
            if PrometheusRuleFile.isYAML(path: path, text: text) {
                guard data.count <= AlertsBacktestCommand.ruleFileBytesMax else {
                    throw CommandFailure("the rule file is \(data.count) bytes, over the \(AlertsBacktestCommand.ruleFileBytesMax)-byte limit")
                }
                options.prometheusRules = try PrometheusRuleFile.parse(text, file: path)
            } else {
                options.rules = try AlertsBacktestCommand.loadRules(path)
            }
        } catch {
            throw ValidationError("--rules \(path): \(error)")
        }
    }

    static func timeoutMs(_ text: String, flag: String) throws -> Int {
        guard let milliseconds = DurationArgument.milliseconds(text), milliseconds <= Int64(Int32.max) else {
            throw ValidationError("\(flag) '\(text)' is not a duration such as 10s or 500ms")
        }
        return Int(milliseconds)
    }
}

/// `500ms`, `1s`, `90m`, `12h`, `7d`, or a bare number of seconds.
extension FreedMemory {
    /// Both servers (`serve`, `replay --serve`) cap the allocator's arenas before they start their threads.
    static func limitArenasOfAServer() {
        let process = ProcessInfo.processInfo
        limitArenas(to: arenasPerCore * process.activeProcessorCount, environment: process.environment)
    }
}

enum DurationArgument {
    static func milliseconds(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)]
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        for (suffix, scale) in units where trimmed.hasSuffix(suffix) {
            let number = trimmed.dropLast(suffix.count)
            // "ms" must win over "s": "500ms" must not read as "500m" + "s".
            if suffix == "s", number.hasSuffix("m") { continue }
            guard let value = Int64(number), value >= 0 else { return nil }
            let (result, overflow) = value.multipliedReportingOverflow(by: scale)
            return overflow ? nil : result
        }
        guard let seconds = Int64(trimmed), seconds >= 0 else { return nil }
        let (result, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? nil : result
    }
}
