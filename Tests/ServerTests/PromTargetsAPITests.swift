import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Prometheus's `/api/v1/targets` for `tacho serve --scrape`: Tacho and a real
/// Prometheus 2.42 scrape the same two targets (Tacho's own `/metrics`, up, and a
/// closed port, down) with the same job, interval and timeout, and list them alike.
@Suite struct PromTargetsAPITests {
    /// Each target's `health` by `scrapeUrl`, once every target has been scraped.
    static func health(_ body: String) -> [String: String]? {
        guard let object = try? jsonObject(body), let data = object["data"] as? [String: Any],
              let targets = data["activeTargets"] as? [[String: Any]] else { return nil }
        var health: [String: String] = [:]
        for target in targets {
            guard let url = target["scrapeUrl"] as? String, let state = target["health"] as? String, state != "unknown" else { return nil }
            health[url] = state
        }
        return health
    }

    @Test func targets_answerAsPrometheus242_scrapingTheSameTargets() async throws {
        guard let binary = ExternalProgram.find("prometheus") else {
            print("SKIP targets: no 'prometheus' on PATH (apt-get install prometheus; tools/test installs it)")
            return
        }
        let work = try TemporaryDirectory("prom-targets")
        defer { work.remove() }
        let port = try freeLoopbackPort()
        let closed = try freeLoopbackPort()
        let up = "http://127.0.0.1:\(port)/metrics"
        let down = "http://127.0.0.1:\(closed)/metrics"
        let tacho = try await ServeProcess(arguments: [
            "--data", work.path + "/data", "--port", String(port), "--no-collect",
            "--scrape", "\(up),\(down)", "--scrape-interval", "1s", "--scrape-timeout", "1s", "--scrape-job", "pair",
        ])
        defer { tacho.signal(SIGKILL) }
        let config = """
            scrape_configs:
              - job_name: pair
                scrape_interval: 1s
                scrape_timeout: 1s
                static_configs:
                  - targets: ['127.0.0.1:\(port)', '127.0.0.1:\(closed)']

            """
        let prometheus = try PrometheusPeer.start(binary, config: config, in: work)
        defer { prometheus.program.stop() }

        let expected = [up: "up", down: "down"]
        let scraped = await poll(timeout: .seconds(30)) {
            guard let fromPrometheus = await loopbackGet(prometheus.port, "/api/v1/targets"),
                  let fromTacho = await loopbackGet(tacho.port, "/api/v1/targets") else { return false }
            return Self.health(fromPrometheus.body) == expected && Self.health(fromTacho.body) == expected
        }
        #expect(scraped, "both servers scraped both targets; prometheus said:\n\(prometheus.program.output.suffix(2000))")
        guard scraped else { return }
        // When each scraped and how long it took differ; the errors' words are each HTTP client's own.
        try await expectSameAnswers(
            ["/api/v1/targets", "/api/v1/targets?state=active", "/api/v1/targets?state=dropped", "/api/v1/targets?state=any"],
            tacho: tacho.port, prometheus: prometheus.port, leavingOut: ["lastScrape", "lastScrapeDuration", "lastError"])
        // The down target says why; the up one says nothing.
        let answer = try #require(await loopbackGet(tacho.port, "/api/v1/targets"))
        let data = try #require(try jsonObject(answer.body)["data"] as? [String: Any])
        for target in data["activeTargets"] as? [[String: Any]] ?? [] {
            let error = target["lastError"] as? String ?? ""
            #expect(target["scrapeUrl"] as? String == down ? !error.isEmpty : error.isEmpty, "\(target)")
        }
    }
}
