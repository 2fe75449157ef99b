import EventStore
import HummingbirdCore
import HummingbirdWebSocket
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import Server

/// The route a connection took, named; set on the loop, read by the test.
private final class RouteTaken: Sendable {
    let name = Mutex<String?>(nil)
}

/// One accepted connection of `ServerConnection` on an embedded channel, fed raw bytes.
private final class Connection {
    let channel = EmbeddedChannel()
    let queries = HeldWork()
    /// What the connection turned out to need, once it is known.
    let route = RouteTaken()

    init(webSocket: Bool = false) throws {
        let queries = self.queries
        let upgrading = webSocket
            ? HTTP1WebSocketUpgradeChannel(responder: { _, _, _ in }, configuration: .init()) { _, _, _ in .upgrade([:]) { _, _, _ in } }
            : nil
        let connection = ServerConnection(
            responder: { _, _, _ in }, gate: ConnectionGate(connectionsMax: 8), headTimeoutMs: 60_000,
            handlers: { [PromQueryHandler(queries: PromQueries(log: NoMetrics()), serverName: "tacho", answersHeld: false) { queries.add($0) }] },
            webSocket: upgrading)
        let value = try connection.setup(channel: channel, logger: .init(label: "test")).wait()
        let route = self.route
        value.route.whenComplete { result in
            let name: String
            switch result {
            case .success(.closed): name = "closed"
            case .success(.router): name = "router"
            case .success(.webSocket): name = "webSocket"
            case .failure(let error): name = "failed: \(error)"
            }
            route.name.withLock { $0 = name }
        }
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
    }

    func send(_ text: String) throws {
        try channel.writeInbound(ByteBuffer(string: text))
    }

    /// Runs the held queries and delivers their answers on the loop.
    func answerQueries() {
        queries.runAll()
        channel.embeddedEventLoop.run()
    }

    /// Everything written to the client so far.
    func received() throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { text += String(buffer: buffer) }
        return text
    }

    var routeTaken: String? { route.name.withLock { $0 } }

    func close() throws {
        if channel.isActive { _ = try? channel.finish() }
    }
}

@Suite struct ServerConnectionTests {
    static let query = "GET /api/v1/query?query=1%2B1&time=1700000000 HTTP/1.1\r\nHost: t\r\n\r\n"

    @Test func aConnectionWhoseRequestsAreAllQueries_neverReachesTheRouter() throws {
        let connection = try Connection()
        defer { try? connection.close() }
        for _ in 0..<3 {
            try connection.send(Self.query)
            connection.answerQueries()
            let answer = try connection.received()
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(60))")
            #expect(answer.hasSuffix(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"2"]}}"#))
        }
        #expect(connection.routeTaken == nil, "no bridge to the router was built")
        try connection.close()
        #expect(connection.routeTaken == "closed")
    }

    @Test func theFirstRequestForTheRouter_buildsTheBridge() throws {
        let connection = try Connection()
        defer { try? connection.close() }
        try connection.send(Self.query)
        connection.answerQueries()
        #expect(connection.routeTaken == nil)
        try connection.send("GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(connection.routeTaken == "router")
    }

    @Test func aLaterRequestThatDoesNotParse_beforeAnyForTheRouter_gets400_andTheConnectionCloses() throws {
        let connection = try Connection()
        defer { try? connection.close() }
        try connection.send(Self.query)
        connection.answerQueries()
        #expect(try connection.received().hasPrefix("HTTP/1.1 200"))
        try connection.send("GET /x HTTP/1.1\r\nBad Header\r\n\r\n")
        connection.channel.embeddedEventLoop.run()
        let answer = try connection.received()
        #expect(answer.hasPrefix("HTTP/1.1 400"), "\(answer)")
        #expect(answer.lowercased().contains("connection: close"))
        #expect(!connection.channel.isActive)
        #expect(connection.routeTaken == "closed")
    }

    @Test func theClientEndingItsSide_closesAConnectionWithNothingForTheRouter() throws {
        let connection = try Connection()
        defer { try? connection.close() }
        try connection.send(Self.query)
        connection.answerQueries()
        #expect(connection.channel.isActive)
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        connection.channel.embeddedEventLoop.run()
        #expect(!connection.channel.isActive)
        #expect(connection.routeTaken == "closed")
    }

    @Test func aQueryWhoseClientEndsItsSide_isAnsweredBeforeTheConnectionCloses() throws {
        let connection = try Connection()
        defer { try? connection.close() }
        try connection.send(Self.query)
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        connection.channel.embeddedEventLoop.run()
        #expect(connection.channel.isActive, "open while its query is computed")
        connection.answerQueries()
        let answer = try connection.received()
        #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer.prefix(60))")
        #expect(answer.lowercased().contains("connection: close"))
        #expect(!connection.channel.isActive)
    }

    @Test func withAWebSocketStream_aHeadInPieces_isTakenWhole_thenAnsweredOnTheConnection() throws {
        let connection = try Connection(webSocket: true)
        defer { try? connection.close() }
        let split = Self.query.index(Self.query.startIndex, offsetBy: 30)
        try connection.send(String(Self.query[..<split]))
        try connection.send(String(Self.query[split...]))
        connection.answerQueries()
        #expect(try connection.received().hasPrefix("HTTP/1.1 200"))
        #expect(connection.routeTaken == nil)
        try connection.close()
        #expect(connection.routeTaken == "closed")
    }

    @Test func withAWebSocketStream_anUpgradingFirstHead_getsHummingbirdsUpgradingChannel() throws {
        let connection = try Connection(webSocket: true)
        defer { try? connection.close() }
        try connection.send(
            "GET /api/v1/ws HTTP/1.1\r\nHost: t\r\nConnection: Upgrade\r\nUPGRADE: WebSocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
        connection.channel.embeddedEventLoop.run()
        #expect(connection.routeTaken == "webSocket")
        let answer = try connection.received()
        #expect(answer.hasPrefix("HTTP/1.1 101"), "\(answer)")
    }

    @Test func withAWebSocketStream_aConnectionClosedBeforeAWholeHead_endsWithoutARoute() throws {
        let connection = try Connection(webSocket: true)
        try connection.send("GET /api/v1/qu")
        connection.channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        connection.channel.embeddedEventLoop.run()
        #expect(!connection.channel.isActive)
        #expect(connection.routeTaken == "closed")
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: t\r\n\r\n", false),
        ("GET / HTTP/1.1\nHost: t\n\n", false),
        ("GET / HTTP/1.1\r\nupgrade: websocket\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nUpgrade:WebSocket\r\n\r\n", true),
        ("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nX-Upgrade: websocket\r\n\r\n", false),
        ("GET / HTTP/1.1\r\nHost: t\r\n", nil),
        ("GET / HTTP/1.1\r\nUpgrade: websocket\r\n", nil),
    ] as [(String, Bool?)])
    func theFirstHeadsUpgradeHeader_isFoundWhenTheHeadEnds(_ head: String, _ upgrades: Bool?) {
        #expect(UpgradeSniffer.firstHeadUpgradesToWebSocket(ByteBuffer(string: head)) == upgrades)
    }

    @Test func aFirstHeadLongerThanTheDecodersLimit_isTakenForPlainHTTP() {
        let long = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: UpgradeSniffer.headBytesMax)
        #expect(UpgradeSniffer.firstHeadUpgradesToWebSocket(ByteBuffer(string: long)) == false)
    }
}
