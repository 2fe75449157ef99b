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

    @Option(name: .long, help: "Delete log segments older than this (e.g. 7d, 12h, 90m); 'none' keeps everything.")
    var retention: String = "7d"

    @Option(name: .customLong("collect-interval"), help: "How often host vitals are read from /proc (e.g. 1s, 500ms).")
    var collectInterval: String = "1s"

    @Flag(name: .long, help: "Run the seeded demo workload: one simulated second of events per second.")
    var demo = false

    @Option(name: .customLong("demo-seed"), help: "The demo workload's seed.")
    var demoSeed: UInt64 = 1

    @Flag(name: .customLong("no-collect"), help: "Do not read host vitals from /proc.")
    var noCollect = false

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

    func run() async throws {
        let options = try serverOptions(environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "tacho")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        let app: TachoApp
        do {
            app = try await TachoApp.open(options: options, logger: logger)
        } catch {
            throw CommandFailure("cannot open \(options.dataDirectory): \(error)")
        }
        let host = options.host
        let directory = options.dataDirectory
        try await app.run { port in
            let shownHost = host.contains(":") ? "[\(host)]" : host
            // Written straight to the descriptor: tests read this line from a pipe at once.
            FileHandle.standardOutput.write(Data("tacho: serving http://\(shownHost):\(port)/ (data \(directory))\n".utf8))
        }
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
        if retention.lowercased() == "none" {
            options.retentionSeconds = nil
        } else {
            guard let milliseconds = DurationArgument.milliseconds(retention), milliseconds >= 1000 else {
                throw ValidationError("--retention '\(retention)' is not a duration such as 7d, 12h or 90m")
            }
            options.retentionSeconds = milliseconds / 1000
        }
        guard let collectMs = DurationArgument.milliseconds(collectInterval), collectMs <= Int64(Int.max) else {
            throw ValidationError("--collect-interval '\(collectInterval)' is not a duration such as 1s or 500ms")
        }
        options.collectIntervalMs = Int(collectMs)
        options.collectsHostVitals = !noCollect
        options.demo = demo
        options.demoSeed = demoSeed
        options.scrapeTargets = (scrape ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for (flag, text) in [("--scrape-interval", scrapeInterval), ("--scrape-timeout", scrapeTimeout)] {
            guard let milliseconds = DurationArgument.milliseconds(text), milliseconds <= 86_400_000 else {
                throw ValidationError("\(flag) '\(text)' is not a duration such as 15s or 500ms")
            }
            if flag == "--scrape-interval" { options.scrapeIntervalMs = Int(milliseconds) } else { options.scrapeTimeoutMs = Int(milliseconds) }
        }
        options.scrapeJob = scrapeJob
        options.statsdPort = statsdPort
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not within 0...65535") }
        var checked = options
        if checked.port == 0 { checked.port = 1 }
        do { try checked.validate() } catch { throw ValidationError(error.description) }
        return options
    }
}

/// `500ms`, `1s`, `90m`, `12h`, `7d`, or a bare number of seconds.
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
