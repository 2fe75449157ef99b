import Foundation
import Testing
@testable import Server

/// `/api/v1/query_exemplars` (Grafana asks it when a query's exemplars are on): Tacho
/// keeps no exemplars and answers as a real Prometheus 2.42 without exemplar storage,
/// errors included.
@Suite struct PromExemplarsAPITests {
    @Test func queryExemplars_answersAsPrometheus242WithoutExemplarStorage() async throws {
        guard let binary = ExternalProgram.find("prometheus") else {
            print("SKIP queryExemplars: no 'prometheus' on PATH (apt-get install prometheus; tools/test installs it)")
            return
        }
        let work = try TemporaryDirectory("prom-exemplars")
        defer { work.remove() }
        let prometheus = try PrometheusPeer.start(binary, config: "global:\n  scrape_interval: 1h\n", in: work)
        defer { prometheus.program.stop() }
        let ready = await poll(timeout: .seconds(30)) { await loopbackGet(prometheus.port, "/-/ready")?.status == 200 }
        #expect(ready, "prometheus said:\n\(prometheus.program.output.suffix(2000))")
        guard ready else { return }
        let server = try await LiveServer.start()
        do {
            // Answered alike, body and all.
            try await expectSameAnswers(
                ["/api/v1/query_exemplars?query=up&start=1700000000&end=1700003600",
                 "/api/v1/query_exemplars?query=sum(rate(x_total%5B5m%5D))",
                 "/api/v1/query_exemplars?query=up&start=1700003600&end=1700000000"],
                tacho: server.port, prometheus: prometheus.port, leavingOut: [])
            // Refused alike (the messages are each parser's own words).
            for path in ["/api/v1/query_exemplars?query=up(", "/api/v1/query_exemplars", "/api/v1/query_exemplars?query=up&start=abc"] {
                let fromPrometheus = try #require(await loopbackGet(prometheus.port, path))
                let fromTacho = try #require(await loopbackGet(server.port, path))
                #expect(fromTacho.status == fromPrometheus.status && fromTacho.status == 400, "\(path)")
                #expect(try jsonObject(fromTacho.body)["errorType"] as? String == "bad_data", "\(path): \(fromTacho.body)")
            }
        } catch {
            _ = try? await server.stop()
            throw error
        }
        _ = try await server.stop()
    }
}
