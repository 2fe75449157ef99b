import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import Server

/// A peer that stops reading makes the channel unwritable; past the timeout the
/// connection is closed, and a peer that catches up in time keeps it.
@Suite struct StalledWriteHandlerTests {
    final class Closes: Sendable {
        let count = Mutex(0)
    }

    static func channel(timeoutMs: Int64, closes: Closes) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: StalledWriteHandler(timeoutMs: timeoutMs) { closes.count.withLock { $0 += 1 } })
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    @Test func unwritablePastTheTimeout_closesTheConnection_andCountsIt() throws {
        let closes = Closes()
        let channel = try Self.channel(timeoutMs: 500, closes: closes)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(499))
        #expect(channel.isActive, "not yet: the timeout has not passed")
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
        #expect(closes.count.withLock { $0 } == 1)
    }

    @Test func writableAgainBeforeTheTimeout_keepsTheConnection() throws {
        let closes = Closes()
        let channel = try Self.channel(timeoutMs: 500, closes: closes)
        channel.isWritable = false
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(400))
        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        #expect(closes.count.withLock { $0 } == 0)
        _ = try channel.finish()
    }

    @Test func serverOptions_refuseAStalledWriteTimeoutOutOfRange() {
        var options = ServerOptions()
        options.stalledWriteTimeoutMs = 10
        #expect(throws: ServerOptionsError.self) { try options.validate() }
    }
}
