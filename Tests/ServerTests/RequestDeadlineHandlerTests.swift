import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Synchronization
import Testing
@testable import Server

/// The deadlines between requests and over a body, on an event loop whose clock the
/// test moves: a kept-alive connection is closed exactly `idleMs` after its last
/// response however many requests came before, a body `bodyMs` after its head, and
/// never while a response is being written.
@Suite struct RequestDeadlineHandlerTests {
    final class TimedOut: Sendable {
        let waits = Mutex<[ConnectionWait]>([])
    }

    static func channel(idleMs: Int, bodyMs: Int, timedOut: TimedOut) throws -> EmbeddedChannel {
        let handler = RequestDeadlineHandler(deadlines: RequestDeadlines(idleMs: idleMs, bodyMs: bodyMs)) { wait in
            timedOut.waits.withLock { $0.append(wait) }
        }
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func request(_ channel: EmbeddedChannel, endsBody: Bool = true) throws {
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/api/v1/health")))
        if endsBody { try channel.writeInbound(HTTPRequestPart.end(nil)) }
    }

    static func respond(_ channel: EmbeddedChannel, ends: Bool = true) throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        if ends { try channel.writeOutbound(HTTPResponsePart.end(nil)) }
    }

    static func advance(_ channel: EmbeddedChannel, ms: Int64) {
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(ms))
    }

    @Test func requestsWithinTheIdleTimeout_keepTheConnection_whichClosesIdleMsAfterTheLastResponse() throws {
        let timedOut = TimedOut()
        let channel = try Self.channel(idleMs: 1000, bodyMs: 1000, timedOut: timedOut)
        // Ten requests 600 ms apart: 6 s, six idle timeouts' worth, the timer passing
        // each earlier deadline on the way.
        for _ in 0..<10 {
            try Self.request(channel)
            try Self.respond(channel)
            Self.advance(channel, ms: 600)
            #expect(channel.isActive)
        }
        Self.advance(channel, ms: 399)
        #expect(channel.isActive, "999 ms after the last response")
        Self.advance(channel, ms: 1)
        #expect(!channel.isActive, "closed at 1000 ms")
        #expect(timedOut.waits.withLock { $0 } == [.idle])
    }

    @Test func aBodyThatDoesNotEnd_isClosedBodyMsAfterItsHead_evenWhenThatIsBeforeTheIdleTimersTurn() throws {
        let timedOut = TimedOut()
        let channel = try Self.channel(idleMs: 1000, bodyMs: 300, timedOut: timedOut)
        try Self.request(channel)
        try Self.respond(channel)
        // By 350 ms the first head's body timer has fired and sleeps until the idle
        // deadline, 1000 ms; the next head, at 350 ms, must be closed at 650.
        Self.advance(channel, ms: 350)
        #expect(channel.isActive)
        try Self.request(channel, endsBody: false)
        Self.advance(channel, ms: 299)
        #expect(channel.isActive)
        Self.advance(channel, ms: 1)
        #expect(!channel.isActive)
        #expect(timedOut.waits.withLock { $0 } == [.body])
    }

    @Test func aResponseBeingWritten_hasNoDeadline_andTheIdleOneStartsWhenItEnds() throws {
        let timedOut = TimedOut()
        let channel = try Self.channel(idleMs: 500, bodyMs: 500, timedOut: timedOut)
        try Self.request(channel)
        try Self.respond(channel, ends: false)
        // A live stream: a response that goes on.
        Self.advance(channel, ms: 10_000)
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        Self.advance(channel, ms: 499)
        #expect(channel.isActive)
        Self.advance(channel, ms: 1)
        #expect(!channel.isActive)
        #expect(timedOut.waits.withLock { $0 } == [.idle])
    }

    @Test func aClosedConnection_leavesNoTimerToFire() throws {
        let timedOut = TimedOut()
        let channel = try Self.channel(idleMs: 500, bodyMs: 500, timedOut: timedOut)
        try Self.request(channel)
        try Self.respond(channel)
        _ = try channel.finish()
        Self.advance(channel, ms: 10_000)
        #expect(timedOut.waits.withLock { $0 }.isEmpty)
    }
}
