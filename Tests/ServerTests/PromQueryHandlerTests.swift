import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing
@testable import Server

/// A log with no metric samples: queries over it answer from their constants.
struct NoMetrics: MetricScanning {
    func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {}

    func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? { nil }
}

/// A log of `keys` series, each offered to the query's filter; the cancellation is
/// cancelled as key `cancelAt` is offered, as a connection closing mid-scan would.
private final class SeriesOffered: MetricScanning {
    let keys: Int
    let cancelAt: Int
    let cancellation: QueryCancellation
    private let offered = Atomic<Int>(0)
    private let scans = Atomic<Int>(0)
    var offeredCount: Int { offered.load(ordering: .relaxed) }
    var scanCount: Int { scans.load(ordering: .relaxed) }

    init(keys: Int, cancelAt: Int = .max, cancellation: QueryCancellation = QueryCancellation()) {
        self.keys = keys
        self.cancelAt = cancelAt
        self.cancellation = cancellation
    }

    func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        scans.add(1, ordering: .relaxed)
        for number in 0..<keys {
            if number == cancelAt { cancellation.cancel() }
            offered.add(1, ordering: .relaxed)
            _ = try wants(SeriesKey(name: "up", labels: Labels(["n": "\(number)"])))
        }
    }

    func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? { nil }
}

/// A log of `series` series `m{i="<n>"}`, a sample a second from `baseSeconds`, all of
/// them held in memory while `isHeld` (what `scanHeldMetrics` hands over), none after.
final class HeldSamples: MetricScanning, @unchecked Sendable {
    static let baseSeconds: Int64 = 1_700_000_000
    let series: Int
    let samplesPerSeries: Int
    /// Set by the test before the queries it makes.
    var isHeld = true

    init(series: Int, samplesPerSeries: Int) {
        self.series = series
        self.samplesPerSeries = samplesPerSeries
    }

    func scanMetrics(
        fromNs: Int64, toNs: Int64, eventsScannedMax: Int, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        for number in 0..<series {
            let key = SeriesKey(name: "m", labels: Labels(["i": "\(number)"]))
            guard try wants(key) else { continue }
            let times = (0..<samplesPerSeries).map { (Self.baseSeconds + Int64($0)) * 1_000_000_000 }.filter { $0 >= fromNs && $0 <= toNs }
            let values = times.map { Double($0 / 1_000_000_000 - Self.baseSeconds) * Double(number + 1) }
            try times.withUnsafeBufferPointer { times in try values.withUnsafeBufferPointer { try visit(key, .counter, times, $0) } }
        }
    }

    func scanHeldMetrics(
        fromNs: Int64, toNs: Int64, eventSeries: Bool, name: String?, labelsEqual: [Labels.Pair],
        labelValues: [LabelValueFilter], wants: (SeriesKey) throws -> Bool, _ visit: SeriesSamplesVisitor
    ) throws {
        guard isHeld else { throw MetricSamplesNotHeld() }
        try scanMetrics(
            fromNs: fromNs, toNs: toNs, eventsScannedMax: .max, eventSeries: eventSeries, name: name, labelsEqual: labelsEqual,
            labelValues: labelValues, wants: wants, visit)
    }

    func minuteRollups(of key: SeriesKey, fromNs: Int64, toNs: Int64) throws -> SeriesMinutes? { nil }
}

/// The computations the query handler hands off, run when the test says so.
final class HeldWork: Sendable {
    private let work = Mutex<[@Sendable () -> Void]>([])
    var count: Int { work.withLock { $0.count } }
    func add(_ body: @escaping @Sendable () -> Void) { work.withLock { $0.append(body) } }
    func runAll() {
        for body in work.withLock({ work in defer { work = [] }; return work }) { body() }
    }
}

/// Counts the reads the pipeline asks of the socket (sits before the handler under test).
private final class ReadCounter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    var reads = 0
    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }
}

/// Records the events that reach the router's end of the pipeline.
private final class EventRecorder: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    var quiesceEvents = 0
    var readCompletes = 0
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.fireChannelRead(data) }
    func channelReadComplete(context: ChannelHandlerContext) {
        readCompletes += 1
        context.fireChannelReadComplete()
    }
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent { quiesceEvents += 1 }
        context.fireUserInboundEventTriggered(event)
    }
}

@Suite struct PromQueryHandlerTests {
    private struct Pipeline {
        let channel: EmbeddedChannel
        let work: HeldWork
        let reads: ReadCounter
        let events: EventRecorder

        init(log: any MetricScanning = NoMetrics(), answersHeld: Bool = false) throws {
            let work = HeldWork()
            reads = ReadCounter()
            events = EventRecorder()
            channel = EmbeddedChannel()
            let handler = PromQueryHandler(queries: PromQueries(log: log), serverName: "tacho", answersHeld: answersHeld) { work.add($0) }
            try channel.pipeline.syncOperations.addHandlers([reads, handler, events])
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            self.work = work
        }

        func request(_ method: HTTPRequest.Method, _ target: String, headers: HTTPFields = [:], body: String? = nil) throws {
            try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: method, scheme: nil, authority: nil, path: target, headerFields: headers)))
            if let body { try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: body))) }
            try channel.writeInbound(HTTPRequestPart.end(nil))
        }

        /// What reached the router: the targets of the heads, and how many parts in all.
        func routed() throws -> (targets: [String], parts: Int) {
            var targets: [String] = []
            var parts = 0
            while let part = try channel.readInbound(as: HTTPRequestPart.self) {
                parts += 1
                if case .head(let head) = part { targets.append(head.path ?? "") }
            }
            return (targets, parts)
        }

        /// Runs the held computations and the loop's tasks; the responses written, in order.
        func answer() throws -> [(head: HTTPResponse, body: String)] {
            work.runAll()
            channel.embeddedEventLoop.run()
            return try responses()
        }

        func responses() throws -> [(head: HTTPResponse, body: String)] {
            var out: [(head: HTTPResponse, body: String)] = []
            while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
                switch part {
                case .head(let head): out.append((head, ""))
                case .body(let buffer): out[out.count - 1].body += String(buffer: buffer)
                case .end: break
                }
            }
            return out
        }

        /// The router answers the request it was handed.
        func routerResponds() throws {
            try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
            try channel.writeOutbound(HTTPResponsePart.end(nil))
            _ = try responses()
        }
    }

    @Test func smallQueriesOverSamplesHeldInMemory_areAnsweredOnTheLoop_inOrder_andOthersOnAThread() throws {
        let log = HeldSamples(series: 3, samplesPerSeries: 10)
        let pipeline = try Pipeline(log: log, answersHeld: true)
        let instant = "/api/v1/query?query=m&time=\(HeldSamples.baseSeconds + 9)"
        let range = "/api/v1/query_range?query=rate(m%5B5s%5D)&start=\(HeldSamples.baseSeconds)&end=\(HeldSamples.baseSeconds + 9)&step=1"
        let overTheHour = "/api/v1/query?query=sum_over_time(m%5B1h%5D)&time=\(HeldSamples.baseSeconds + 9)"
        try pipeline.request(.get, instant)
        try pipeline.request(.get, range)
        #expect(pipeline.work.count == 0, "no thread for either")
        pipeline.channel.embeddedEventLoop.run()
        let answered = try pipeline.responses()
        let queries = PromQueries(log: log)
        #expect(answered.map(\.body) == [instant, range].map { target in
            let endpoint = PromQueries.Endpoint(target: target[...])!
            return String(decoding: queries.answer(endpoint, PromAPIParameters(query: PromAPIParameters.query(ofTarget: target[...]), form: nil)).body, as: UTF8.self)
        })
        #expect(answered.allSatisfy { $0.head.status == .ok } && answered.count == 2)
        // Samples not all in memory: computed on a thread, as before.
        log.isHeld = false
        try pipeline.request(.get, overTheHour)
        #expect(pipeline.work.count == 1)
        #expect(try pipeline.answer().map(\.head.status) == [.ok])
    }

    @Test func queriesAreAnsweredOnTheConnection_andOtherRequestsGoOnToTheRouter() throws {
        let pipeline = try Pipeline()
        // A GET's body is no form: the query is the target's.
        try pipeline.request(.get, "/api/v1/query?query=1%2B1&time=1700000000", body: "timeout=-1s")
        try pipeline.request(.post, "/api/v1/query_range", headers: [.contentType: "application/x-www-form-urlencoded"],
                             body: "query=vector(3)&start=1700000000&end=1700000060&step=30")
        #expect(try pipeline.routed().parts == 0)
        #expect(pipeline.work.count == 1, "one query computed at a time")
        var answered = try pipeline.answer()
        answered += try pipeline.answer()
        #expect(answered.map(\.head.status) == [.ok, .ok])
        #expect(answered.map(\.body) == [
            #"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#,
            #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1700000000,"3"],[1700000030,"3"],[1700000060,"3"]]}]}}"#,
        ])
        let head = try #require(answered.first?.head)
        #expect(head.headerFields[.contentType] == "application/json")
        #expect(head.headerFields[.contentLength] == String(answered[0].body.utf8.count))
        #expect(head.headerFields[.server] == "tacho")
        #expect(head.headerFields[.date]?.hasSuffix(" GMT") == true)
        #expect(head.headerFields[.connection] == nil)

        let routerTargets = ["/api/v1/rules", "/api/v1/query/", "/api/v1/queryx", "/api/v1/label//values", "/api/v1/label/a/b/values", "/api/v1/labelsx"]
        for target in routerTargets {
            try pipeline.request(.get, target)
        }
        try pipeline.request(.put, "/api/v1/query?query=1")
        #expect(try pipeline.routed().targets == routerTargets + ["/api/v1/query?query=1"])
        #expect(pipeline.work.count == 0)
    }

    @Test func theSeriesLabelsMetadataAndBuildinfoEndpoints_areAnsweredOnTheConnectionToo() throws {
        let pipeline = try Pipeline()
        let targets = [
            "/api/v1/series?match[]=up", "/api/v1/labels", "/api/v1/label/job/values", "/api/v1/metadata", "/api/v1/status/buildinfo",
            "/api/v1/series",
        ]
        var bodies: [String] = []
        for target in targets {
            try pipeline.request(.get, target)
            let answered = try pipeline.answer()
            #expect(answered.count == 1, "\(target)")
            bodies += answered.map(\.body)
        }
        #expect(try pipeline.routed().parts == 0)
        #expect(bodies == [
            #"{"status":"success","data":[]}"#, #"{"status":"success","data":[]}"#, #"{"status":"success","data":[]}"#,
            #"{"status":"success","data":{}}"#, String(decoding: PromQueries.buildInfo.body, as: UTF8.self),
            #"{"status":"error","errorType":"bad_data","error":"no match[] parameter provided"}"#,
        ])
        #expect(PromQueries.Endpoint(target: "/api/v1/label/__name__/values?match[]=up") == .labelValues(name: "__name__"))
    }

    @Test func requestsPipelinedBehindAQuery_waitForItsAnswer_andNothingMoreIsRead() throws {
        let pipeline = try Pipeline()
        try pipeline.request(.get, "/api/v1/query?query=1&time=1")
        try pipeline.request(.get, "/api/v1/rules")
        try pipeline.request(.get, "/api/v1/query?query=2&time=1")
        let readsBefore = pipeline.reads.reads
        pipeline.channel.read()
        #expect(pipeline.reads.reads == readsBefore, "no read while a query is answered")
        #expect(try pipeline.routed().parts == 0, "the router's request waits behind the query")

        let readCompletes = pipeline.events.readCompletes
        let first = try pipeline.answer()
        #expect(pipeline.events.readCompletes == readCompletes + 1, "held parts handed on end with a read's completion, which the router's channel waits for")
        #expect(first.map(\.body) == [#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#])
        #expect(pipeline.reads.reads == readsBefore + 1, "the held read is done once the answer is written")
        // The rules request went to the router; the query behind it follows it there,
        // so its response cannot overtake the router's.
        #expect(try pipeline.routed().targets == ["/api/v1/rules", "/api/v1/query?query=2&time=1"])
        #expect(pipeline.work.count == 0)
        try pipeline.routerResponds()
        try pipeline.routerResponds()

        try pipeline.request(.get, "/api/v1/query?query=4&time=1")
        #expect(try pipeline.routed().parts == 0, "with the router's responses written, queries are answered here again")
        #expect(try pipeline.answer().map(\.body) == [#"{"status":"success","data":{"resultType":"scalar","result":[1,"4"]}}"#])
    }

    @Test func formsThatAreNoFormsOrTooLarge_areRefusedWithBadData() throws {
        let pipeline = try Pipeline()
        try pipeline.request(.post, "/api/v1/query", headers: [.contentType: "text/plain"], body: "query=1")
        let oversized = "query=" + String(repeating: "1", count: PromAPIParameters.formBytesMax)
        try pipeline.channel.writeInbound(HTTPRequestPart.head(HTTPRequest(
            method: .post, scheme: nil, authority: nil, path: "/api/v1/query", headerFields: [.contentType: "application/x-www-form-urlencoded"])))
        for chunk in stride(from: 0, to: oversized.utf8.count, by: 65_536) {
            let bytes = Array(oversized.utf8)[chunk..<min(chunk + 65_536, oversized.utf8.count)]
            try pipeline.channel.writeInbound(HTTPRequestPart.body(ByteBuffer(bytes: bytes)))
        }
        try pipeline.channel.writeInbound(HTTPRequestPart.end(nil))
        var answered = try pipeline.answer()
        answered += try pipeline.answer()
        #expect(answered.map(\.head.status) == [.badRequest, .badRequest])
        #expect(answered[0].body.contains("POST bodies must be application/x-www-form-urlencoded, got text/plain"))
        #expect(answered[1].body.contains("the form body is over \(PromAPIParameters.formBytesMax) bytes"))
    }

    @Test func theServerStopping_closesTheConnectionAfterTheQueryBeingAnswered() throws {
        let idle = try Pipeline()
        idle.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(idle.events.quiesceEvents == 1, "an idle connection is the router's to close")

        let pipeline = try Pipeline()
        try pipeline.request(.get, "/api/v1/query?query=1&time=1")
        pipeline.channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(pipeline.events.quiesceEvents == 0, "held: the router would close the connection under the query")
        #expect(pipeline.channel.isActive)
        let answered = try pipeline.answer()
        #expect(answered.map(\.head.status) == [.ok])
        #expect(answered.first?.head.headerFields[.connection] == "close")
        #expect(!pipeline.channel.isActive, "closed once the answer is written")
    }

    @Test func aQueryAskingToClose_isAnsweredThenTheConnectionCloses() throws {
        let pipeline = try Pipeline()
        try pipeline.request(.get, "/api/v1/query?query=1&time=1", headers: [.connection: "close"])
        try pipeline.request(.get, "/api/v1/query?query=2&time=1")
        let answered = try pipeline.answer()
        #expect(answered.map(\.body) == [#"{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}"#])
        #expect(answered.first?.head.headerFields[.connection] == "close")
        #expect(!pipeline.channel.isActive)
        #expect(pipeline.work.count == 0, "nothing after it is answered")
    }

    @Test func aQueryWhoseClientClosedTheConnection_beforeItsTurn_readsNothing() throws {
        let log = SeriesOffered(keys: 10)
        let pipeline = try Pipeline(log: log)
        try pipeline.request(.get, "/api/v1/query?query=up&time=100")
        #expect(pipeline.work.count == 1)
        try pipeline.channel.close().wait()
        #expect(try pipeline.answer().isEmpty, "nobody to answer")
        #expect(log.scanCount == 0, "the query was cancelled with its connection, before its computation began")

        let open = try Pipeline(log: log)
        try open.request(.get, "/api/v1/query?query=up&time=100")
        #expect(try open.answer().map(\.head.status) == [.ok])
        #expect(log.scanCount == 1, "a connection still open has its query read the log")
    }

    @Test func aQueryCancelledMidScan_stopsAtTheNextDeadlineCheck_withPrometheussCanceledError() throws {
        let cancellation = QueryCancellation()
        let log = SeriesOffered(keys: 100_000, cancelAt: 10_000, cancellation: cancellation)
        let queries = PromQueries(log: log)
        let parameters = PromAPIParameters(query: PromAPIParameters.query(ofTarget: "/api/v1/query?query=up&time=100"), form: nil)
        let answer = queries.answer(.instant, parameters, cancellation: cancellation)
        #expect(log.offeredCount < 10_000 + 2 * 4_096, "stopped within a deadline check's stride of the cancellation, not after all 100,000 series")
        #expect(answer.status.code == 499)
        #expect(String(decoding: answer.body, as: UTF8.self) == #"{"status":"error","errorType":"canceled","error":"query canceled: its client closed the connection"}"#)

        let uncancelled = SeriesOffered(keys: 100_000)
        #expect(PromQueries(log: uncancelled).answer(.instant, parameters, cancellation: QueryCancellation()).status == .ok)
        #expect(uncancelled.offeredCount == 100_000)
    }

    @Test func theDateHeader_isAnIMFFixdate() {
        #expect(HTTPDateCache.format(secondsSince1970: 1_700_000_000) == "Tue, 14 Nov 2023 22:13:20 GMT")
        #expect(HTTPDateCache.format(secondsSince1970: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(HTTPDateCache.format(secondsSince1970: 1_796_414_043) == "Fri, 04 Dec 2026 19:54:03 GMT")
    }

    // MARK: - A live server against its own router

    /// The requests both paths are asked; every answer is compared byte for byte.
    private static let requests: [(method: String, target: String, contentType: String?, body: String?)] = {
        let start = ConformanceData.baseMs / 1000
        let range = formQuery([("query", "rate(http_requests_total[5m])"), ("start", "\(start)"), ("end", "\(start + 3600)"), ("step", "60")])
        return [
            ("GET", "/api/v1/query?" + formQuery([("query", "up"), ("time", "\(start + 600)")]), nil, nil),
            ("GET", "/api/v1/query?query=1%2B1&time=1700000000", nil, nil),
            ("POST", "/api/v1/query", "application/x-www-form-urlencoded", formQuery([("query", "sum by (job) (up)"), ("time", "\(start + 1200)")])),
            ("GET", "/api/v1/query_range?" + range, nil, nil),
            ("POST", "/api/v1/query_range?step=30", "application/x-www-form-urlencoded; charset=UTF-8",
             formQuery([("query", "max(temperature_celsius)"), ("start", "\(start)"), ("end", "\(start + 900)")])),
            ("GET", "/api/v1/query?" + formQuery([("query", "sum(up"), ("time", "1")]), nil, nil),
            ("GET", "/api/v1/query?" + formQuery([("query", "nosuch(up)"), ("time", "1")]), nil, nil),
            ("GET", "/api/v1/query?time=1", nil, nil),
            ("GET", "/api/v1/query?query=up&time=yesterday", nil, nil),
            ("GET", "/api/v1/query?query=up&time=1&timeout=-1s", nil, nil),
            ("GET", "/api/v1/query_range?query=up&start=10&end=5&step=1", nil, nil),
            ("GET", "/api/v1/query_range?query=up&start=1&end=5&step=0", nil, nil),
            ("GET", "/api/v1/query_range?query=up&start=0&end=100000&step=1", nil, nil),
            ("POST", "/api/v1/query", "text/plain", "query=up"),
            ("GET", "/api/v1/series?" + formQuery([("match[]", "up"), ("match[]", "{__name__=~\"http_.*\"}")]), nil, nil),
            ("POST", "/api/v1/labels", "application/x-www-form-urlencoded", formQuery([("match[]", "up"), ("start", "\(start)")])),
            ("GET", "/api/v1/label/job/values", nil, nil),
            ("GET", "/api/v1/metadata?limit=2", nil, nil),
            ("GET", "/api/v1/status/buildinfo", nil, nil),
            ("GET", "/api/v1/series", nil, nil),
            ("GET", "/api/v1/series?match[]=rate(up[5m])", nil, nil),
        ]
    }()

    private static func raw(_ request: (method: String, target: String, contentType: String?, body: String?), closes: Bool = false) -> String {
        var text = "\(request.method) \(request.target) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        if let type = request.contentType { text += "Content-Type: \(type)\r\n" }
        if closes { text += "Connection: close\r\n" }
        return text + "Content-Length: \(request.body?.utf8.count ?? 0)\r\n\r\n" + (request.body ?? "")
    }

    @Test func aLiveServersQueries_answerByteForByteAsItsRouter_keptAliveAndPipelined() async throws {
        let server = try await LiveServer.start()
        do {
            try await Application(router: server.app.router()).test(.router) { client in
                try await ingestConformanceSamples(client, server.app)
                var expected: [(status: Int, body: String)] = []
                for request in Self.requests {
                    let headers: HTTPFields = request.contentType.map { [.contentType: $0] } ?? [:]
                    expected.append(try await client.execute(
                        uri: request.target, method: HTTPRequest.Method(request.method)!, headers: headers, body: request.body.map { ByteBuffer(string: $0) }
                    ) { (Int($0.status.code), String(buffer: $0.body)) })
                }
                #expect(expected.filter { $0.status == 200 }.count == 10)
                #expect(expected.contains { $0.status == 400 })

                // One request at a time over one kept-alive connection.
                let connection = try RawHTTPConnection(port: server.port)
                var reader = HTTPResponseReader()
                for (request, answer) in zip(Self.requests, expected) {
                    connection.send(Self.raw(request))
                    let response = try await offPool { [reader] in var reader = reader; return (try reader.next(from: connection), reader) }
                    reader = response.1
                    #expect(response.0.status == answer.status, "\(request.target)")
                    #expect(response.0.body == answer.body, "\(request.target)")
                    #expect(response.0.headers["content-type"] == "application/json")
                    #expect(response.0.headers["server"] == "tacho")
                }

                // Every request in one write, queries and router requests mixed: answered in order.
                let mixed: [(method: String, target: String, contentType: String?, body: String?)] = [
                    Self.requests[0], ("GET", "/api/v1/rules", nil, nil), Self.requests[3], Self.requests[2],
                    ("GET", "/api/v1/alerts", nil, nil), Self.requests[5], Self.requests[1], Self.requests[14],
                ]
                var mixedExpected: [String] = []
                for request in mixed {
                    let headers: HTTPFields = request.contentType.map { [.contentType: $0] } ?? [:]
                    mixedExpected.append(try await client.execute(
                        uri: request.target, method: HTTPRequest.Method(request.method)!, headers: headers, body: request.body.map { ByteBuffer(string: $0) }
                    ) { String(buffer: $0.body) })
                }
                let pipelined = try RawHTTPConnection(port: server.port)
                pipelined.send(mixed.enumerated().map { Self.raw($0.element, closes: $0.offset == mixed.count - 1) }.joined())
                let received = try await offPool {
                    var reader = HTTPResponseReader()
                    var bodies: [String] = []
                    for _ in mixed { bodies.append(try reader.next(from: pipelined).body) }
                    return (bodies, reader.isClosed(pipelined))
                }
                #expect(received.0 == mixedExpected)
                #expect(received.1, "the last request asked to close: the connection closes after its answer")
            }
        } catch {
            _ = try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}

/// Reads HTTP/1.1 responses with a `Content-Length` off a raw connection, one at a time.
struct HTTPResponseReader: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    struct Failure: Error, CustomStringConvertible { let description: String }

    private var buffered: [UInt8] = []

    mutating func next(from connection: RawHTTPConnection, timeoutMs: Int32 = 20_000) throws -> Response {
        let separator = Array("\r\n\r\n".utf8)
        while true {
            if let end = buffered.firstRange(of: separator) {
                let head = String(decoding: buffered[..<end.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
                var headers: [String: String] = [:]
                for line in head.dropFirst() {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                if buffered.count >= end.upperBound + length {
                    let status = Int(head[0].split(separator: " ")[1]) ?? 0
                    let body = String(decoding: buffered[end.upperBound..<end.upperBound + length], as: UTF8.self)
                    buffered.removeFirst(end.upperBound + length)
                    return Response(status: status, headers: headers, body: body)
                }
            }
            guard let bytes = connection.receive(timeoutMs: timeoutMs) else { throw Failure(description: "the connection closed mid-response") }
            guard !bytes.isEmpty else { throw Failure(description: "no response within \(timeoutMs) ms") }
            buffered += bytes
        }
    }

    /// True when the server closed the connection (nothing more buffered or sent).
    func isClosed(_ connection: RawHTTPConnection, timeoutMs: Int32 = 20_000) -> Bool {
        buffered.isEmpty && connection.receive(timeoutMs: timeoutMs) == nil
    }
}
