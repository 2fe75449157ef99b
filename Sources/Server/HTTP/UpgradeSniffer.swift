import NIOCore

/// Holds a connection's first bytes until its first request head has ended, then
/// says whether that head asks for a WebSocket (`Upgrade: websocket`), lets the
/// caller build the pipeline for it, hands the bytes on and leaves the pipeline.
/// `ServerConnection` builds Hummingbird's upgrading pipeline only for a connection
/// that upgrades, and its own lighter one for every other.
///
/// Only the choice of pipeline is made here: the upgrade itself (method, version,
/// key, the path) is negotiated and refused by the pipeline chosen. A head longer
/// than `headBytesMax` is taken for plain HTTP, whose decoder refuses it.
final class UpgradeSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// The HTTP decoder's default limit of a head's header bytes (NIO's and Hummingbird's).
    static let headBytesMax = 80 * 1024

    /// Builds the pipeline for the verdict after this handler and takes the route on.
    typealias Decide = (_ upgradesToWebSocket: Bool, _ channel: any Channel, _ route: EventLoopPromise<ServerConnection.Route>) throws -> Void

    private let decide: Decide
    private var route: PendingRoute
    private var held: ByteBuffer?

    init(route: EventLoopPromise<ServerConnection.Route>, decide: @escaping Decide) {
        self.route = PendingRoute(route)
        self.decide = decide
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if held == nil {
            held = bytes
        } else {
            held!.writeBuffer(&bytes)
        }
        guard let upgrades = Self.firstHeadUpgradesToWebSocket(held!), let route = route.handOn() else { return }
        let first = held!
        held = nil
        do {
            try decide(upgrades, context.channel, route)
        } catch {
            // The builders hand the route on last: it is still unanswered here.
            route.succeed(.closed)
            context.close(promise: nil)
            return
        }
        context.fireChannelRead(wrapInboundOut(first))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // The client ended its side before a whole first head: nothing to serve.
        if route.isPending, PendingRoute.isEndOfInput(event) {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        held = nil
        route.endClosed()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        held = nil
        route.endClosed()
    }

    /// Whether the head at the start of `bytes` has an `Upgrade` header naming
    /// `websocket`; nil while the head has not ended (and is under `headBytesMax`).
    static func firstHeadUpgradesToWebSocket(_ bytes: ByteBuffer) -> Bool? {
        let view = bytes.readableBytesView
        var upgrades = false
        var lineStart = view.startIndex
        var index = view.startIndex
        while index < view.endIndex {
            guard view[index] == UInt8(ascii: "\n") else {
                index += 1
                continue
            }
            var lineEnd = index
            if lineEnd > lineStart, view[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
            // An empty line ends the head.
            if lineEnd == lineStart, lineStart != view.startIndex { return upgrades }
            if !upgrades, let value = headerValue(named: "upgrade", in: view[lineStart..<lineEnd]) {
                upgrades = contains(value, "websocket")
            }
            index += 1
            lineStart = index
        }
        return view.count > headBytesMax ? false : nil
    }

    /// The value of the header line `line` when its name is `name` (lowercase ASCII).
    private static func headerValue(named name: String, in line: ByteBufferView.SubSequence) -> ByteBufferView.SubSequence? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), line.distance(from: line.startIndex, to: colon) == name.utf8.count,
            zip(line[line.startIndex..<colon], name.utf8).allSatisfy({ lowercased($0) == $1 })
        else { return nil }
        return line[line.index(after: colon)...]
    }

    private static func contains(_ value: ByteBufferView.SubSequence, _ word: String) -> Bool {
        let word = Array(word.utf8)
        guard value.count >= word.count else { return false }
        var start = value.startIndex
        while value.distance(from: start, to: value.endIndex) >= word.count {
            if zip(value[start...], word).allSatisfy({ lowercased($0) == $1 }) { return true }
            start = value.index(after: start)
        }
        return false
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
