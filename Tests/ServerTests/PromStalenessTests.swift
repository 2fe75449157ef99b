import Foundation
import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// Prometheus's staleness, against a real Prometheus 2.42: one target (a Python HTTP
/// server serving a file) is scraped by Prometheus, which remote-writes to Tacho, and
/// by Tacho itself (`--scrape`). A series leaves the exposition, then the target goes
/// down. Tacho's answers over the remote-written samples (stale markers included)
/// must equal Prometheus's own, and its own scrape must end the same series at once,
/// not 5 minutes later when the lookback runs out.
@Suite(.serialized) struct PromStalenessTests {
    static let target = """
        import http.server, sys
        path = sys.argv[2]
        class Exposition(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = open(path, 'rb').read()
                self.send_response(200)
                self.send_header('Content-Type', 'text/plain; version=0.0.4')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), Exposition)
        print('serving', flush=True)
        server.serve_forever()
        """

    /// `ratio` and `ceiling` hold values JSON numbers cannot: both servers keep them.
    static let bothQueues = "# TYPE depth gauge\ndepth{queue=\"a\"} 3\ndepth{queue=\"b\"} 5\n# TYPE workers gauge\nworkers 2\nratio NaN\nceiling +Inf\n"
    static let queueAOnly = "# TYPE depth gauge\ndepth{queue=\"a\"} 4\n# TYPE workers gauge\nworkers 2\nratio NaN\nceiling -Inf\n"

    /// The instant answer's series as `label=value,...` strings with their values.
    static func instant(_ port: Int, _ query: String, at seconds: Int) async -> [String: String]? {
        guard let answer = await loopbackGet(port, "/api/v1/query?" + formQuery([("query", query), ("time", "\(seconds)")])),
              answer.status == 200, let object = try? jsonObject(answer.body),
              let data = object["data"] as? [String: Any], let result = data["result"] as? [[String: Any]] else { return nil }
        var out: [String: String] = [:]
        for element in result {
            let metric = element["metric"] as? [String: String] ?? [:]
            let name = metric.sorted { $0.key < $1.key }.filter { $0.key != "instance" }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out[name] = (element["value"] as? [Any])?.last as? String
        }
        return out
    }

    static func now() -> Int { Int(Date().timeIntervalSince1970) }

    @Test func seriesThatEnd_areStaleAsInPrometheus242_remoteWrittenOrScrapedByTacho() async throws {
        guard let binary = ExternalProgram.find("prometheus") else {
            print("SKIP staleness: no 'prometheus' on PATH (apt-get install prometheus; tools/test installs it)")
            return
        }
        guard let python = ExternalProgram.find("python3") else {
            print("SKIP staleness: no python3 on PATH")
            return
        }
        let work = try TemporaryDirectory("prom-staleness")
        defer { work.remove() }
        let exposition = work.path + "/metrics.txt"
        func expose(_ text: String) throws {
            // Renamed into place: a scrape never reads half a file.
            try text.write(toFile: exposition + ".new", atomically: false, encoding: .utf8)
            guard rename(exposition + ".new", exposition) == 0 else { throw POSIXError(.EIO) }
        }
        try expose(Self.bothQueues)
        try Self.target.write(toFile: work.path + "/target.py", atomically: true, encoding: .utf8)
        let targetPort = try freeLoopbackPort()
        let target = try ExternalProgram(python, [work.path + "/target.py", "\(targetPort)", exposition], outputPath: work.path + "/target.log")
        defer { target.stop() }
        #expect(await poll(timeout: .seconds(20)) { target.output.contains("serving") }, "target: \(target.output)")

        let startS = Self.now() - 1
        let tacho = try await ServeProcess(arguments: [
            "--data", work.path + "/data", "--port", "0", "--no-collect", "--scrape", "http://127.0.0.1:\(targetPort)/metrics",
            "--scrape-interval", "500ms", "--scrape-timeout", "500ms", "--scrape-job", "tacho",
        ])
        defer { tacho.signal(SIGKILL) }
        let config = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: prom
                static_configs:
                  - targets: ['127.0.0.1:\(targetPort)']
            remote_write:
              - url: http://127.0.0.1:\(tacho.port)/api/v1/write
                queue_config:
                  batch_send_deadline: 200ms
                  min_backoff: 50ms

            """
        let prometheus = try PrometheusPeer.start(binary, config: config, in: work)
        defer { prometheus.program.stop() }
        let log = { "prometheus said:\n\(prometheus.program.output.suffix(1500))" }

        // Both queues seen by Prometheus, by Tacho's copy of its samples and by Tacho's scrape.
        let started = await poll(timeout: .seconds(60)) {
            let t = Self.now()
            let theirs = await Self.instant(prometheus.port, "depth", at: t)
            let copied = await Self.instant(tacho.port, #"depth{job="prom"}"#, at: t)
            let scraped = await Self.instant(tacho.port, #"depth{job="tacho"}"#, at: t)
            return theirs?.count == 2 && copied?.count == 2 && scraped?.count == 2
        }
        #expect(started, "\(log())")
        guard started else { return }

        // Queue b leaves the exposition: stale at the next scrape.
        try expose(Self.queueAOnly)
        let left = await poll(timeout: .seconds(30)) {
            let t = Self.now()
            let theirs = await Self.instant(prometheus.port, "depth", at: t)
            let scraped = await Self.instant(tacho.port, #"depth{job="tacho"}"#, at: t)
            return theirs == ["__name__=depth,job=prom,queue=a": "4"] && scraped == ["__name__=depth,job=tacho,queue=a": "4"]
        }
        #expect(left, "queue b is stale within a few scrapes (without markers it stays 5 minutes); \(log())")
        let afterLeavingS = Self.now()

        // The target goes down: every series it exposed is stale, `up` is 0.
        target.stop()
        let down = await poll(timeout: .seconds(30)) {
            let t = Self.now()
            let theirs = await Self.instant(prometheus.port, #"{__name__=~"depth|workers|up"}"#, at: t)
            let scraped = await Self.instant(tacho.port, #"{__name__=~"depth|workers|up",job="tacho"}"#, at: t)
            return theirs == ["__name__=up,job=prom": "0"] && scraped == ["__name__=up,job=tacho": "0"]
        }
        #expect(down, "\(log())")
        let endS = Self.now()
        let history = await Self.instant(tacho.port, #"depth{job="tacho"}"#, at: afterLeavingS)
        #expect(history == ["__name__=depth,job=tacho,queue=a": "4"], "the log still answers for the moment queue b had left")
        let odd = await Self.instant(tacho.port, #"{__name__=~"ratio|ceiling",job="tacho"}"#, at: afterLeavingS)
        #expect(odd == ["__name__=ratio,job=tacho": "NaN", "__name__=ceiling,job=tacho": "-Inf"], "Tacho's scrape keeps NaN and infinities")

        // Tacho over the remote-written samples and markers answers as Prometheus over its own.
        var paths: [String] = []
        for query in [#"{__name__=~"depth|workers|up|ratio|ceiling",job="prom"}"#, #"sum by (queue) (depth{job="prom"})"#, #"count_over_time(depth{job="prom"}[3s])"#] {
            paths.append("/api/v1/query_range?" + formQuery([("query", query), ("start", "\(startS)"), ("end", "\(endS)"), ("step", "1")]))
            for t in [afterLeavingS, endS] {
                paths.append("/api/v1/query?" + formQuery([("query", query), ("time", "\(t)")]))
            }
        }
        // Remote write lags: wait until Tacho's copy has the last scrape's markers.
        let caughtUp = await poll(timeout: .seconds(30)) {
            guard let ours = await loopbackGet(tacho.port, paths[0]), let theirs = await loopbackGet(prometheus.port, paths[0]) else { return false }
            return (try? comparableJSON(ours.body, leavingOut: [])) == (try? comparableJSON(theirs.body, leavingOut: []))
        }
        #expect(caughtUp, "Tacho's copy of the samples answers as Prometheus; \(log())")
        try await expectSameAnswers(paths, tacho: tacho.port, prometheus: prometheus.port, leavingOut: [])
    }
}
