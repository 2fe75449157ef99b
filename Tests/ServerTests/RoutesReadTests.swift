import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Projections
import Testing
@testable import Server

@Suite struct RoutesReadTests {
    /// Ingests the known stream through the ingest route and waits for the views.
    private func ingestKnownStream(_ client: some TestClientProtocol, _ app: TachoApp) async throws {
        try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: KnownStream.ndjson)) { response in
            #expect(response.status == .ok)
            let answer = try jsonObject(String(buffer: response.body))
            let offsets = answer["offsets"] as? [String: Any]
            #expect(offsets?["first"] as? Int == 0)
            #expect(offsets?["last"] as? Int == KnownStream.eventCount - 1)
        }
        #expect(await app.engine.waitUntilIdle())
    }

    private func get(_ client: some TestClientProtocol, _ uri: String) async throws -> String {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .ok, "GET \(uri)")
            #expect(response.headers[.contentType] == "application/json; charset=utf-8", "GET \(uri)")
            return String(buffer: response.body)
        }
    }

    @Test func readEndpoints_onKnownStream_serveTheFoldOfTheLog_withTheNumbersOfTheStream() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestKnownStream(client, app)
                let engine = app.engine
                let snapshot = engine.currentSnapshot()
                let folded = try engine.foldLog(below: snapshot.nextOffset)
                func expectServes(_ uri: String, _ view: some Encodable) async throws -> [String: Any] {
                    let body = try await get(client, uri)
                    #expect(body == (try JSONResponse.encodeString(view)), "GET \(uri) is not the fold of the log")
                    return try jsonObject(body)
                }

                let health = try await expectServes("/api/v1/health", folded.healthView())
                let healthInputs = health["inputs"] as? [String: Any]
                #expect(healthInputs?["breakersOpen"] as? Int == 1)
                #expect(healthInputs?["cacheHitRate"] as? Double == 0.5)
                #expect(healthInputs?["efficiency"] as? Double == 0.8)
                #expect(health["score"] as? Double != nil)

                let checkpoint = snapshot.lastCheckpoint
                let status = try await expectServes(
                    "/api/v1/fault-tolerance/status",
                    folded.faultToleranceView(lastCheckpointOffset: checkpoint?.nextOffset, lastCheckpointTimeNs: checkpoint?.writtenAtNs))
                #expect((status["health"] as? [String: Any])?["failed"] as? Int == 1)

                let breakers = try await expectServes("/api/v1/fault-tolerance/circuit-breakers", folded.breakers.view())
                let db = (breakers["breakers"] as? [[String: Any]])?.first { $0["connectionId"] as? String == "db" }
                #expect(db?["state"] as? String == "OPEN")
                #expect(db?["failures"] as? Int == 5)

                let alerts = try await expectServes("/api/v1/fault-tolerance/alerts?limit=200", folded.alerts.view(limit: 200))
                let a1 = (alerts["alerts"] as? [[String: Any]])?.first { $0["id"] as? String == "a1" }
                #expect(a1?["severity"] as? String == "critical")
                #expect(a1?["status"] as? String == "active")
                #expect(a1?["connectionId"] as? String == "db")
                let criticalOnly = try await expectServes(
                    "/api/v1/fault-tolerance/alerts?severity=critical&limit=1", folded.alerts.view(limit: 1, severity: .critical))
                #expect((criticalOnly["alerts"] as? [Any])?.count == 1)

                let optimization = try await expectServes("/api/v1/performance/optimization/status", folded.optimization.view())
                #expect(optimization["efficiency"] as? Double == 0.8)
                #expect((optimization["currentParams"] as? [String: Any])?["batchSize"] as? Double == 50)

                let batch = try await expectServes("/api/v1/performance/batch/metrics", folded.batching.view())
                #expect(batch["currentSize"] as? Int == 50)
                #expect(batch["optimalSize"] as? Int == 100)
                #expect(batch["queueDepth"] as? Int == 3)

                let cache = try await expectServes("/api/v1/performance/cache/stats", folded.caches.view())
                #expect(cache["hitRate"] as? Double == 0.5)
                #expect(cache["evictions"] as? Int == 3)
                #expect(cache["totalSize"] as? Int == 1000)

                let suggestions = try await expectServes("/api/v1/performance/suggestions", folded.suggestionsView())
                let cacheSuggestion = (suggestions["suggestions"] as? [[String: Any]])?.first { $0["id"] as? String == "cache-hit-rate-low" }
                #expect(cacheSuggestion?["action"] as? String == "Raise cacheTTLMultiplier to 3")

                let topology = try await expectServes("/api/v1/topology", folded.topologyView())
                let connections = topology["connections"] as? [[String: Any]]
                #expect(connections?.map { $0["id"] as? String } == ["api", "db"])
                #expect(connections?.last?["circuitState"] as? String == "OPEN")
                #expect(topology["totalTps"] as? Double == 150)

                let rps = try await expectServes("/api/v1/metrics/rps", folded.throughput.view())
                #expect(rps["total"] as? Int == 4)
                #expect(rps["errors"] as? Int == 1)

                let latency = try await expectServes("/api/v1/metrics/latency", folded.latency.view())
                let sinceStart = latency["sinceStart"] as? [String: Any]
                #expect(sinceStart?["count"] as? Int == 4)
                #expect(sinceStart?["errors"] as? Int == 1)

                let protocols = try await expectServes("/api/v1/metrics/protocols", folded.latency.protocolsView())
                #expect((protocols["protocols"] as? [[String: Any]])?.map { $0["name"] as? String } == ["grpc", "http1"])
                #expect(protocols["requestsSinceStart"] as? Int == 4)

                let cpu = try await expectServes("/api/v1/system/cpu", folded.vitals.cpuView())
                #expect(cpu["total"] as? Double == 40)
                #expect(cpu["loadAverage"] as? [Double] == [1.5, 1, 0.5])
                let memory = try await expectServes("/api/v1/system/memory", folded.vitals.memoryView())
                #expect(memory["total"] as? Double == 1000)
                #expect(memory["used"] as? Double == 600)

                let log = try jsonObject(try await get(client, "/api/v1/log"))
                #expect(log["nextOffset"] as? Int == Int(engine.log.highWaterMark))
                #expect(log["eventCount"] as? Int == Int(engine.log.highWaterMark))
                #expect(log["firstOffset"] as? Int == 0)
                #expect(log["firstTimeNs"] as? Int64 == KnownStream.startNs)
                #expect(log["segmentCount"] as? Int == 1)
                #expect((log["compressionRatio"] as? Double ?? 0) > 0)

                let info = try jsonObject(try await get(client, "/api/v1/info"))
                #expect(info["demo"] as? Bool == false)
                #expect(info["mode"] as? String == "live")
                #expect(info["version"] as? String == ServerInfo.version)

                let annotations = try jsonObject(try await get(client, "/api/v1/annotations"))
                let items = annotations["annotations"] as? [[String: Any]]
                #expect(items?.count == 1)
                #expect(items?.first?["text"] as? String == "deploy v2")
                #expect(items?.first?["timeNs"] as? Int64 == KnownStream.at(5))
                let none = try jsonObject(try await get(client, "/api/v1/annotations?from=\(KnownStream.at(6))"))
                #expect((none["annotations"] as? [Any])?.isEmpty == true)
            }
        }
    }

    @Test func historyAndSeries_onKnownStream_answerTheRollupsOfTheStream() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestKnownStream(client, app)
                let snapshot = app.engine.currentSnapshot()
                let folded = try app.engine.foldLog(below: snapshot.nextOffset)
                let body = try await get(client, "/api/v1/metrics/historical?range=15m&metric=cpu")
                let expected = HistoricalAnalysis.analyze(
                    metric: .cpu, range: .fifteenMinutes, endNs: try #require(snapshot.eventTimeNs),
                    series: folded.series, throughput: folded.throughput, latency: folded.latency)
                #expect(body == (try JSONResponse.encodeString(HistoricalAnswer(view: expected, availableMetrics: [
                    "rps", "latency", "errors", "cpu", "memory", "cpu_percent", "load_average", "memory_bytes",
                ]))))
                let historical = try jsonObject(body)
                #expect(historical["average"] as? Double == 40)
                #expect(historical["peak"] as? Double == 40)
                #expect(historical["unit"] as? String == "%")

                let series = try jsonObject(try await get(client, "/api/v1/rollups?name=memory_bytes&labels=kind=used&from=\(KnownStream.at(4))&step=1s"))
                let points = series["points"] as? [[String: Any]]
                #expect(points?.count == 1)
                #expect(points?.first?["mean"] as? Double == 600)
                #expect(points?.first?["timeNs"] as? Int64 == KnownStream.at(4))

                try await client.execute(uri: "/api/v1/rollups?name=no_such_metric", method: .get) { response in
                    #expect(response.status == .notFound)
                }
                for uri in ["/api/v1/metrics/historical?range=2y", "/api/v1/rollups", "/api/v1/rollups?name=cpu_percent&step=fast", "/api/v1/rollups?name=cpu_percent&labels=core"] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .badRequest, "GET \(uri)")
                    }
                }
            }
        }
    }

    /// The rollups and history at `?at=T` are those of the fold of every sample at or
    /// before T: from the answer's own rollups, or, past `seriesKeptInSnapshotsMax`
    /// series (whose answers leave them out), folded from the log's samples.
    @Test(arguments: [0, SeriesProjection.seriesKeptInSnapshotsMax])
    func rollupsAndHistoryAt_T_areTheFoldOfTheSeriesSamplesAtOrBeforeT_withOrWithoutRollupsInTheAnswer(otherSeries: Int) async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                // A gauge and a counter each second for 90 s, then a late gauge sample
                // at 10.5 s and one at 200 s: the moment asked for is 60 s.
                var lines: [String] = []
                for second in 0..<90 {
                    lines.append(#"{"type":"metric","ts":\#(KnownStream.at(Double(second))),"name":"queue_depth","value":\#(second % 7)}"#)
                    lines.append(#"{"type":"metric","ts":\#(KnownStream.at(Double(second))),"name":"sent_total","kind":"counter","value":\#(second * 10)}"#)
                }
                lines.append(#"{"type":"metric","ts":\#(KnownStream.at(10.5)),"name":"queue_depth","value":100}"#)
                lines.append(#"{"type":"metric","ts":\#(KnownStream.at(200)),"name":"queue_depth","value":50}"#)
                for n in 0..<otherSeries {
                    lines.append(#"{"type":"metric","ts":\#(KnownStream.at(1)),"name":"other","labels":{"n":"\#(n)"},"value":1}"#)
                }
                try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: lines.joined(separator: "\n"))) { response in
                    #expect(response.status == .ok)
                }
                #expect(await app.engine.waitUntilIdle())
                let atNs = KnownStream.at(60)
                let snapshot = try await app.engine.snapshot(atNs: atNs)
                #expect(snapshot.views.series.isOmitted == (otherSeries > 0), "an ?at= answer of more than \(SeriesProjection.seriesKeptInSnapshotsMax) series holds no rollups")
                let atOrBefore = try app.engine.loggedEvents().filter { $0.event.timeNs <= atNs }
                var fresh = SeriesProjection(retention: .standard, seriesMax: SeriesProjection.seriesMaxDefault)
                for item in atOrBefore { fresh.apply(item.event, offset: item.offset) }

                for name in ["queue_depth", "sent_total"] {
                    let from = KnownStream.at(0)
                    let answer = try jsonObject(try await get(client, "/api/v1/rollups?name=\(name)&from=\(from)&step=5s&at=\(atNs)"))
                    let expected = try #require(fresh.queryResult(key: SeriesKey(name: name, labels: Labels([:])), fromNs: from, toNs: atNs, stepNs: 5_000_000_000))
                    #expect(try jsonObject(try JSONResponse.encodeString(expected)) as NSDictionary == answer as NSDictionary, "\(name) at 60 s")
                    let points = try #require(answer["points"] as? [[String: Any]])
                    #expect(points.count == 13, "steps 0...60 s")
                    #expect(points.allSatisfy { ($0["timeNs"] as? Int64 ?? .max) <= atNs })
                }
                // The late sample is in its own second's rollup, as in the live rollups.
                let ten = try jsonObject(try await get(client, "/api/v1/rollups?name=queue_depth&from=\(KnownStream.at(10))&to=\(KnownStream.at(10))&at=\(atNs)"))
                #expect((ten["points"] as? [[String: Any]])?.first?["max"] as? Double == 100)

                let body = try await get(client, "/api/v1/metrics/historical?range=15m&metric=queue_depth&at=\(atNs)")
                let expected = HistoricalAnalysis.analyze(
                    metric: .series(name: "queue_depth", labels: [:]), range: .fifteenMinutes, endNs: atNs,
                    series: fresh, throughput: snapshot.views.throughput, latency: snapshot.views.latency)
                #expect(body == (try JSONResponse.encodeString(HistoricalAnswer(view: expected, availableMetrics: [
                    // The server's own health score is a series too (one sample per 15 s of event time).
                    "rps", "latency", "errors", "cpu", "memory",
                ] + (otherSeries > 0 ? ["other"] : []) + ["queue_depth", "sent_total", HealthSample.name]))))
            }
        }
    }

    @Test func at_answersTheViewsAsOfThatMoment() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestKnownStream(client, app)
                // Before the breaker opened: both connections known, none open.
                let early = try jsonObject(try await get(client, "/api/v1/topology?at=2026-01-01T10:00:00.5Z"))
                let earlyStates = (early["connections"] as? [[String: Any]])?.map { $0["circuitState"] as? String }
                #expect(earlyStates == ["CLOSED", "CLOSED"])
                let earlyCache = try jsonObject(try await get(client, "/api/v1/performance/cache/stats?at=2026-01-01T10:00:00.5Z"))
                #expect((earlyCache["caches"] as? [Any])?.isEmpty == true)

                // In nanoseconds, after the breaker opened and before alert a1.
                let middle = try jsonObject(try await get(client, "/api/v1/fault-tolerance/circuit-breakers?at=\(KnownStream.at(2.5))"))
                #expect((middle["breakers"] as? [[String: Any]])?.first { $0["connectionId"] as? String == "db" }?["state"] as? String == "OPEN")
                let middleAlerts = try jsonObject(try await get(client, "/api/v1/fault-tolerance/alerts?at=\(KnownStream.at(2.5))"))
                #expect((middleAlerts["alerts"] as? [[String: Any]])?.contains { $0["id"] as? String == "a1" } == false)
                let middleRps = try jsonObject(try await get(client, "/api/v1/metrics/rps?at=\(KnownStream.at(2.5))"))
                #expect(middleRps["total"] as? Int == 4)

                let later = try jsonObject(try await get(client, "/api/v1/fault-tolerance/alerts?at=2026-01-01T10:00:04.5Z"))
                #expect((later["alerts"] as? [[String: Any]])?.contains { $0["id"] as? String == "a1" } == true)
            }
        }
    }

    @Test func badQueryValues_answer400WithAJSONErrorNamingTheParameter() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                for (uri, parameter) in [
                    ("/api/v1/health?at=yesterday", "at"),
                    ("/api/v1/fault-tolerance/alerts?limit=-1", "limit"),
                    ("/api/v1/fault-tolerance/alerts?limit=many", "limit"),
                    ("/api/v1/fault-tolerance/alerts?severity=urgent", "severity"),
                    ("/api/v1/annotations?from=soon", "from"),
                    ("/api/v1/stream?since=abc", "not a log offset"),
                ] {
                    try await client.execute(uri: uri, method: .get) { response in
                        #expect(response.status == .badRequest, "GET \(uri)")
                        let body = try jsonObject(String(buffer: response.body))
                        #expect(body["error"] as? String == "bad request", "GET \(uri)")
                        #expect((body["detail"] as? String)?.contains(parameter) == true, "GET \(uri): \(body)")
                    }
                }
            }
        }
    }

    @Test func metrics_exposesViewsAndEngineCounters_inPrometheusText() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingestKnownStream(client, app)
                let text = try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                    return String(buffer: response.body)
                }
                let lines = Set(text.split(separator: "\n").map(String.init))
                #expect(lines.contains(#"tacho_circuit_breaker_state{connection="db",state="OPEN"} 1"#))
                #expect(lines.contains(#"tacho_circuit_breaker_state{connection="db",state="CLOSED"} 0"#))
                #expect(lines.contains(#"tacho_cache_hit_ratio{cache="users"} 0.5"#))
                #expect(lines.contains(#"tacho_operations_total 4"#))
                #expect(lines.contains(#"tacho_operation_latency_seconds_count 4"#))
                #expect(lines.contains(#"tacho_alerts_open{severity="critical"} \#(app.engine.currentSnapshot().views.alerts.view(limit: 0).openBySeverity.critical)"#))
                #expect(lines.contains("tacho_events_appended_total \(app.engine.log.highWaterMark)"))
                #expect(lines.contains("tacho_ingest_requests_total 1"))
                #expect(lines.contains(#"tacho_ingest_errors_total{reason="malformed"} 0"#))
                // 10 + 20 + 30 + 40 ms, from an HDR histogram's mean (within its precision).
                let sum = lines.first { $0.hasPrefix("tacho_operation_latency_seconds_sum ") }.flatMap { Double($0.split(separator: " ")[1]) }
                #expect(abs((sum ?? 0) - 0.1) < 0.001)
                #expect(text.contains("\ntacho_batches_written_total "))
                #expect(text.contains("\ntacho_health_score "))
                #expect(!lines.contains("tacho_bytes_appended_total 0"))
                try checkWithPromtool(text)
            }
        }
    }

    /// Runs `promtool check metrics` when promtool is installed.
    private func checkWithPromtool(_ text: String) throws {
        let candidates = ["/usr/bin/promtool", "/usr/local/bin/promtool"]
        guard let promtool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool)
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "promtool: \(report)")
    }
}
