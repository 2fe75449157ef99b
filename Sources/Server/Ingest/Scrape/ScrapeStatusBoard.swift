import Synchronization

/// What `tacho serve --scrape` last saw of each target: up or down, why, when and how
/// long the scrape took. The scraper writes it after each round; Prometheus's
/// `/api/v1/targets` reads it, so an operator sees why a target's `up` is 0 the way
/// they would on a Prometheus.
final class ScrapeStatusBoard: Sendable {
    struct Status: Sendable {
        enum Health: String, Sendable { case unknown, up, down }
        var target: ScrapeTarget
        var health = Health.unknown
        /// Why the last scrape failed; empty when it succeeded.
        var lastError = ""
        /// Wall-clock time the last scrape started; nil before the first.
        var lastScrapeNs: Int64?
        var lastScrapeSeconds: Double = 0
    }

    let job: String
    let intervalMs: Int64
    let timeoutMs: Int64
    private let statuses: Mutex<[Status]>

    init(targets: [ScrapeTarget], job: String, intervalMs: Int64, timeoutMs: Int64) {
        self.job = job
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs
        self.statuses = Mutex(targets.map { Status(target: $0) })
    }

    /// Every target's status, in the order the targets were given.
    var snapshot: [Status] { statuses.withLock { $0 } }

    /// Records one scrape of `target`: `error` nil when it succeeded.
    func record(_ target: ScrapeTarget, startNs: Int64, seconds: Double, error: String?) {
        statuses.withLock { statuses in
            for index in statuses.indices where statuses[index].target == target {
                statuses[index].health = error == nil ? .up : .down
                statuses[index].lastError = error ?? ""
                statuses[index].lastScrapeNs = startNs
                statuses[index].lastScrapeSeconds = seconds
            }
        }
    }
}
