import EventStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Projections
import Testing
@testable import Server

@Suite struct RoutesActionTests {
    private func ingest(_ client: some TestClientProtocol, _ app: TachoApp, headers: HTTPFields = [:]) async throws {
        try await client.execute(uri: "/api/v1/events", method: .post, headers: headers, body: ByteBuffer(string: KnownStream.ndjson)) { response in
            #expect(response.status == .ok)
        }
        #expect(await app.engine.waitUntilIdle())
    }

    @Test func acknowledge_knownAlert_appendsAlertAck_andTheViewShowsItAcknowledged() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingest(client, app)
                let before = app.engine.log.highWaterMark
                let offset = try await client.execute(uri: "/api/v1/fault-tolerance/alerts/a1/ack?by=alice", method: .post) { response in
                    #expect(response.status == .ok)
                    let answer = try jsonObject(String(buffer: response.body))
                    #expect(answer["appended"] as? String == "alert_ack")
                    return answer["offset"] as? Int
                }
                #expect(offset == Int(before))
                #expect(await app.engine.waitUntilIdle())
                let logged = try app.engine.loggedEvents().first { $0.offset == before }
                #expect(logged?.event.body == .alertAck(AlertAck(id: "a1", by: "alice")))
                let a1 = app.engine.currentSnapshot().views.alerts.view(limit: 200).alerts.first { $0.id == "a1" }
                #expect(a1?.status == .acknowledged)
                #expect(a1?.acknowledgedBy == "alice")

                // A second ack appends nothing.
                try await client.execute(uri: "/api/v1/fault-tolerance/alerts/a1/ack", method: .post) { response in
                    #expect(response.status == .ok)
                    let body = try jsonObject(String(buffer: response.body))
                    #expect(body["appended"] == nil)
                }
                // Besides the ack, only the server's own health sample (the ack, stamped
                // now, crossed a 15 s boundary of the recorded stream's time).
                let appended = try app.engine.loggedEvents().filter { $0.offset >= before && !HealthSample.isSample($0.event) }
                #expect(appended.map(\.event.type) == [.alertAck])
            }
        }
    }

    @Test func acknowledge_unknownAlert_answers404_andAppendsNothing() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingest(client, app)
                let before = app.engine.log.highWaterMark
                try await client.execute(uri: "/api/v1/fault-tolerance/alerts/no-such-alert/ack", method: .post) { response in
                    #expect(response.status == .notFound)
                    let body = try jsonObject(String(buffer: response.body))
                    #expect(body["error"] as? String == "not found")
                }
                // The fold of the ingested stream may append the server's own health
                // sample after `before` was read (a CI flake): nothing else.
                let appended = try app.engine.loggedEvents().filter { $0.offset >= before && !HealthSample.isSample($0.event) }
                #expect(appended.isEmpty)
            }
        }
    }

    @Test func apply_standingSuggestion_appendsItsOptimizationEvent() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await ingest(client, app)
                let before = app.engine.log.highWaterMark
                try await client.execute(uri: "/api/v1/performance/suggestions/cache-hit-rate-low/apply", method: .post) { response in
                    #expect(response.status == .ok)
                    let body = try jsonObject(String(buffer: response.body))
                    #expect(body["appended"] as? String == "optimization")
                }
                #expect(await app.engine.waitUntilIdle())
                let logged = try app.engine.loggedEvents().first { $0.offset == before }
                guard case .optimization(let change)? = logged?.event.body else {
                    Issue.record("offset \(before) holds \(String(describing: logged)), not an optimization event")
                    return
                }
                #expect(change.mode == .manual)
                #expect(change.params.cacheTTLMultiplier == 3)
                #expect(change.params.batchSize == 50)
                #expect(app.engine.currentSnapshot().views.optimization.view().currentParams?.cacheTTLMultiplier == 3)

                try await client.execute(uri: "/api/v1/performance/suggestions/no-such-rule/apply", method: .post) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }

    @Test func writes_whenATokenIsSet_needIt_andReadsDoNot() async throws {
        try await withRunningEngine(token: "s3cret") { app in
            try await Application(router: app.router()).test(.router) { client in
                try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: KnownStream.ndjson)) { response in
                    #expect(response.status == .unauthorized)
                }
                #expect(app.engine.log.highWaterMark == 0)
                try await ingest(client, app, headers: [.authorization: "Bearer s3cret"])
                let before = app.engine.log.highWaterMark
                try await client.execute(uri: "/api/v1/fault-tolerance/alerts/a1/ack", method: .post) { response in
                    #expect(response.status == .unauthorized)
                    let body = try jsonObject(String(buffer: response.body))
                    #expect(body["error"] as? String == "unauthorized")
                }
                try await client.execute(uri: "/api/v1/performance/suggestions/cache-hit-rate-low/apply", method: .post, headers: [.authorization: "Bearer wrong"]) { response in
                    #expect(response.status == .unauthorized)
                }
                #expect(app.engine.log.highWaterMark == before)
                try await client.execute(uri: "/api/v1/fault-tolerance/alerts/a1/ack", method: .post, headers: [.authorization: "Bearer s3cret"]) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/api/v1/health", method: .get) { response in
                    #expect(response.status == .ok)
                }
            }
        }
    }

    @Test func dashboard_isServedFromTheEmbeddedCopy_withContentTypes() async throws {
        try await withRunningEngine { app in
            try await Application(router: app.router()).test(.router) { client in
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(String(buffer: response.body).contains("app.js"))
                }
                try await client.execute(uri: "/app.js", method: .get) { response in
                    #expect(response.headers[.contentType] == "text/javascript; charset=utf-8")
                }
                try await client.execute(uri: "/style.css", method: .get) { response in
                    #expect(response.headers[.contentType] == "text/css; charset=utf-8")
                }
                try await client.execute(uri: "/panels/health.js", method: .get) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(uri: "/../Package.swift", method: .get) { response in
                    #expect(response.status == .notFound)
                }
            }
        }
    }
}
