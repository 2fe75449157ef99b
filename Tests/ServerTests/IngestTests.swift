import EventStore
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// Stands in for the log: assigns dense offsets, keeps what was appended.
actor RecordingLog {
    private(set) var events: [Event] = []
    var failure: (any Error)?

    func append(_ batch: [Event]) throws -> ClosedRange<UInt64> {
        if let failure { throw failure }
        let first = UInt64(events.count)
        events += batch
        return first...UInt64(events.count - 1)
    }

    func fail(with error: any Error) { failure = error }
}

struct FakeDiskFull: DiskFullReporting, CustomStringConvertible {
    var isDiskFull: Bool { true }
    var description: String { "ENOSPC writing segment 00000000000000000000.seg" }
}

@Suite struct IngestTests {
    static let metric = #"{"type":"metric","ts":1700000000000000000,"name":"cpu_percent","labels":{"core":"total"},"value":12.5}"#
    static let op = #"{"type":"op","ts":"2023-11-14T22:13:20Z","name":"GET /","protocol":"http2","durationMs":3.5,"ok":true}"#

    private func withServer(
        token: String? = nil, bodyBytesMax: Int = 16 * 1024 * 1024, metrics: EngineMetrics? = nil,
        _ body: @escaping @Sendable (RecordingLog, any TestClientProtocol) async throws -> Void
    ) async throws {
        let log = RecordingLog()
        let router = Router()
        router.middlewares.add(ErrorJSONMiddleware())
        IngestController<BasicRequestContext>(
            append: { try await log.append($0) }, bodyBytesMax: bodyBytesMax, token: token, metrics: metrics, nowNs: { 99 }
        ).addRoutes(to: router)
        try await Application(router: router).test(.router) { client in try await body(log, client) }
    }

    private func json(_ response: TestResponse) -> JSONValue? {
        try? JSONParser.parse(String(buffer: response.body))
    }

    @Test func jsonArray_isAppended_andOffsetsAnswered() async throws {
        try await withServer { log, client in
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: "[\(Self.metric),\(Self.op)]")) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(String(buffer: response.body) == #"{"offsets":{"first":0,"last":1},"count":2}"#)
            }
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: "\(Self.op)\n")) { response in
                #expect(String(buffer: response.body) == #"{"offsets":{"first":2,"last":2},"count":1}"#)
            }
            let stored = await log.events
            #expect(stored.count == 3)
            #expect(stored[0].timeNs == 1_700_000_000_000_000_000)
            #expect(stored[1].type == .op)
        }
    }

    @Test func ndjson_isAppended_andEventsWithoutTsGetIngestTime() async throws {
        try await withServer { log, client in
            let body = "\(Self.metric)\n\n" + #"{"type":"annotation","text":"deploy","tags":["v2"]}"# + "\r\n\(Self.op)\n"
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body) == #"{"offsets":{"first":0,"last":2},"count":3}"#)
            }
            let stored = await log.events
            #expect(stored.map(\.type) == [.metric, .annotation, .op])
            #expect(stored[1].timeNs == 99)
        }
    }

    /// Each class of bad input, with a fragment its detail must hold.
    static let badInputs: [(String, String)] = [
        ("malformed JSON", "\(metric)\n{\"type\":\"op\",\n"),
        ("unknown type", "[\(metric), {\"type\":\"bogus\"}]"),
        ("missing field", "\(metric)\n{\"type\":\"metric\",\"name\":\"x\"}\n"),
        ("non-finite number", "[{\"type\":\"metric\",\"name\":\"x\",\"value\":1e999}]"),
        ("out-of-range value", "[{\"type\":\"connection\",\"connection\":\"c\",\"monitors\":[],\"load\":150,\"tps\":1,\"parseRate\":0.5,\"latencyMs\":1}]"),
        ("over-long string", "[{\"type\":\"metric\",\"name\":\"\(String(repeating: "n", count: 300))\",\"value\":1}]"),
        ("empty body", ""),
    ]

    @Test(arguments: badInputs)
    func badInput_isRefusedWith400AndNamedLocation_andNothingAppended(_ input: (String, String)) async throws {
        try await withServer { log, client in
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: input.1)) { response in
                #expect(response.status == .badRequest, "\(input.0)")
                let body = json(response)
                #expect(body?["error"] == .string("bad request"), "\(input.0)")
                guard case .string(let detail)? = body?["detail"] else { Issue.record("no detail for \(input.0)"); return }
                if input.0 != "empty body" {
                    #expect(detail.contains("line 2") || detail.contains("index 1") || detail.contains("index 0"), "\(input.0): \(detail)")
                }
            }
            #expect(await log.events.isEmpty, "\(input.0)")
        }
    }

    @Test func badInput_detailNamesLineAndField() async throws {
        try await withServer { _, client in
            let body = "\(Self.metric)\n\(Self.metric)\n" + #"{"type":"metric","name":"x","value":"high"}"#
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: body)) { response in
                guard case .string(let detail)? = json(response)?["detail"] else { Issue.record("no detail"); return }
                #expect(detail.hasPrefix("line 3, field 'value'"), "\(detail)")
            }
        }
    }

    @Test func oversizedBody_isRefusedWith413_andNothingAppended() async throws {
        let metrics = EngineMetrics()
        try await withServer(bodyBytesMax: 1024, metrics: metrics) { log, client in
            let body = Array(repeating: Self.metric, count: 20).joined(separator: "\n")
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .contentTooLarge)
                #expect(json(response)?["error"] == .string("body too large"))
            }
            #expect(await log.events.isEmpty)
        }
        #expect(metrics.snapshot().ingestErrors[.tooLarge] == 1)
    }

    @Test func token_whenConfigured_isRequired_andCheckedExactly() async throws {
        try await withServer(token: "s3cret") { log, client in
            let body = ByteBuffer(string: Self.metric)
            try await client.execute(uri: "/api/v1/events", method: .post, body: body) { response in
                #expect(response.status == .unauthorized)
                #expect(json(response)?["error"] == .string("unauthorized"))
            }
            try await client.execute(uri: "/api/v1/events", method: .post, headers: [.authorization: "Bearer s3cre"], body: body) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/v1/events", method: .post, headers: [.authorization: "Basic s3cret"], body: body) { response in
                #expect(response.status == .unauthorized)
            }
            #expect(await log.events.isEmpty)
            try await client.execute(uri: "/api/v1/events", method: .post, headers: [.authorization: "Bearer s3cret"], body: body) { response in
                #expect(response.status == .ok)
            }
            #expect(await log.events.count == 1)
        }
    }

    @Test func diskFull_isAnswered507_otherAppendFailures500() async throws {
        let metrics = EngineMetrics()
        try await withServer(metrics: metrics) { log, client in
            await log.fail(with: FakeDiskFull())
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: Self.metric)) { response in
                #expect(response.status.code == 507)
                #expect(json(response)?["error"] == .string("disk full"))
            }
            await log.fail(with: SSESubscribeError(clientsMax: 1))
            try await client.execute(uri: "/api/v1/events", method: .post, body: ByteBuffer(string: Self.metric)) { response in
                #expect(response.status == .internalServerError)
                #expect(json(response)?["error"] == .string("append failed"))
            }
        }
        #expect(metrics.snapshot().ingestErrors[.diskFull] == 1)
        #expect(metrics.snapshot().ingestErrors[.appendFailed] == 1)
    }

    @Test func unknownRoute_answersJSON404() async throws {
        try await withServer { _, client in
            try await client.execute(uri: "/api/v1/nope", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(json(response)?["error"] == .string("not found"))
            }
        }
    }
}
