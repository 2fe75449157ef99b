import AsyncHTTPClient
import EventStore
import Logging
import NIOCore
import ServiceLifecycle

/// `tacho serve --scrape URL[,URL]`: pulls each target's Prometheus text exposition
/// (or OpenMetrics, whichever it answers) every `interval`, bounded by `timeout`, and
/// appends its samples as `metric` events through the shared `IngestPipeline`, with
/// `job` and `instance` labels and the series Prometheus adds to every scrape: `up`
/// (1 when the scrape succeeded, else 0), `scrape_duration_seconds` and
/// `scrape_samples_scraped`. Samples without a timestamp take the scrape's start time.
///
/// A target that fails (refused, timed out, not 200, malformed) gets `up 0` and is
/// logged when it starts and stops failing; the other targets are not affected.
/// Series that leave a target's exposition, and every series of a target whose scrape
/// fails, get Prometheus's stale markers (`ScrapeStaleness`).
public struct PrometheusScraper<C: Clock>: Service where C.Duration == Duration {
    public let targets: [ScrapeTarget]
    public let job: String
    public let interval: Duration
    public let timeout: Duration
    private let pipeline: IngestPipeline
    private let clock: C
    private let logger: Logger
    /// Where each scrape's outcome goes, for Prometheus's `/api/v1/targets`.
    let board: ScrapeStatusBoard?

    init(
        targets: [ScrapeTarget], job: String, interval: Duration, timeout: Duration, pipeline: IngestPipeline, clock: C, logger: Logger,
        board: ScrapeStatusBoard? = nil
    ) {
        precondition(!targets.isEmpty, "a scraper has targets")
        precondition(interval > .zero && timeout > .zero && timeout <= interval, "0 < timeout <= interval")
        self.targets = targets
        self.job = job
        self.interval = interval
        self.timeout = timeout
        self.pipeline = pipeline
        self.clock = clock
        self.logger = logger
        self.board = board
    }

    /// What Prometheus 2.42 asks for: OpenMetrics preferred, 0.0.4 text accepted.
    static var accept: String {
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await self.loop()
        }
    }

    private func loop() async throws {
        let client = HTTPClient.shared
        var failing = Set<String>()
        var staleness = ScrapeStaleness()
        var deadline = clock.now
        while !Task.isCancelled {
            let results = await withTaskGroup(of: (ScrapeTarget, Result<Scraped, ScrapeError>).self) { group in
                for target in targets {
                    group.addTask {
                        let startNs = pipeline.nowNs()
                        let start = ContinuousClock.now
                        let result = await self.scrape(target, client: client)
                        let elapsed = ContinuousClock.now - start
                        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                        if case .failure(let failure) = result {
                            board?.record(target, startNs: startNs, seconds: seconds, error: failure.reason)
                        } else {
                            board?.record(target, startNs: startNs, seconds: seconds, error: nil)
                        }
                        return (target, result)
                    }
                }
                var results: [(ScrapeTarget, Result<Scraped, ScrapeError>)] = []
                for await result in group { results.append(result) }
                return results
            }
            for (target, result) in results {
                switch result {
                case .success(let scraped):
                    if failing.remove(target.url) != nil { logger.notice("scrape of \(target.url) succeeds again") }
                    var decoded = scraped.decoded
                    decoded.events += staleness.markers(target: target.url, seen: scraped.tracked, atNs: scraped.startNs)
                    await append(decoded, target: target)
                case .failure(let failure):
                    if failing.insert(target.url).inserted { logger.warning("scrape of \(target.url) failed: \(failure.reason); up=0 until it succeeds") }
                    var decoded = failure.decoded
                    decoded.events += staleness.markers(target: target.url, seen: nil, atNs: failure.startNs)
                    await append(decoded, target: target)
                }
            }
            deadline = deadline.advanced(by: interval)
            if deadline < clock.now { deadline = clock.now }
            guard (try? await clock.sleep(until: deadline, tolerance: nil)) != nil else { return }
        }
    }

    private func append(_ decoded: IngestPipeline.Decoded, target: ScrapeTarget) async {
        do {
            _ = try await pipeline.appendCollected(decoded, format: .scrape, logger: logger)
        } catch {
            logger.error("scrape of \(target.url): appending \(decoded.events.count) events failed: \(error.detail)")
        }
    }

    struct Scraped {
        /// The target's samples and the synthetic series.
        let decoded: IngestPipeline.Decoded
        /// When the scrape started: the time of its samples without a timestamp.
        let startNs: Int64
        /// The series exposed without a timestamp, which staleness tracks.
        let tracked: [SeriesKey: MetricKind]
    }

    struct ScrapeError: Error {
        let reason: String
        /// The `up 0` and duration series of the failed scrape.
        let decoded: IngestPipeline.Decoded
        let startNs: Int64
    }

    /// One scrape of `target`: its samples and the synthetic series, or why it failed.
    func scrape(_ target: ScrapeTarget, client: HTTPClient) async -> Result<Scraped, ScrapeError> {
        let startNs = pipeline.nowNs()
        let start = ContinuousClock.now
        let labels = [("instance", target.instance), ("job", job)]
        func synthetic(up: Bool, samples: Int) -> [Event] {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return [("up", up ? 1.0 : 0.0), ("scrape_duration_seconds", seconds), ("scrape_samples_scraped", Double(samples))].map {
                Event(timeNs: startNs, body: .metric(MetricSample(series: SeriesKey(name: $0.0, labels: Labels(Dictionary(uniqueKeysWithValues: labels))), value: $0.1)))
            }
        }
        func failure(_ reason: String) -> Result<Scraped, ScrapeError> {
            .failure(ScrapeError(reason: reason, decoded: IngestPipeline.Decoded(events: synthetic(up: false, samples: 0)), startNs: startNs))
        }
        var request = HTTPClientRequest(url: target.url)
        request.headers.add(name: "Accept", value: Self.accept)
        let timeoutSeconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.headers.add(name: "X-Prometheus-Scrape-Timeout-Seconds", value: "\(timeoutSeconds)")
        let body: ByteBuffer
        let contentType: String?
        do {
            let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
            let deadline = NIODeadline.now() + .milliseconds(milliseconds)
            let response = try await client.execute(request, deadline: deadline, logger: logger)
            guard response.status == .ok else { return failure("HTTP status \(response.status.code)") }
            contentType = response.headers.first(name: "Content-Type")
            body = try await response.body.collect(upTo: pipeline.bodyBytesMax)
        } catch {
            return failure("\(error)")
        }
        let decoded: IngestPipeline.Decoded
        var tracked: [SeriesKey: MetricKind] = [:]
        do {
            let parsed = try body.withUnsafeReadableBytes { bytes throws(PrometheusTextError) in
                try PrometheusTextParser(dialect: .init(contentType: contentType)).parse(bytes)
            }
            decoded = try parsed.events(defaultTimeNs: startNs, targetLabels: labels)
            // One event per parsed sample, in order.
            for (sample, event) in zip(parsed.samples, decoded.events) where sample.timeNs == nil {
                if case .metric(let metric) = event.body { tracked[metric.series] = metric.kind }
            }
        } catch {
            return failure("\(error)")
        }
        return .success(Scraped(
            decoded: IngestPipeline.Decoded(events: decoded.events + synthetic(up: true, samples: decoded.events.count), skipped: decoded.skipped),
            startNs: startNs, tracked: tracked))
    }
}
