import EventStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// `tacho serve --statsd-port P`: StatsD (and DogStatsD) lines over UDP, folded by a
/// `StatsDAggregator` and flushed as events every `flushInterval` through the shared
/// `IngestPipeline`. A malformed line is dropped and counted
/// (`tacho_ingest_samples_skipped_total{format="statsd",reason="malformed_line"}`);
/// the other lines of its datagram are kept.
public struct StatsDServer<C: Clock>: Service where C.Duration == Duration {
    public let host: String
    public let port: Int
    public let flushInterval: Duration
    private let pipeline: IngestPipeline
    private let clock: C
    private let logger: Logger
    private let onBound: @Sendable (Int) async -> Void

    public init(
        host: String, port: Int, flushInterval: Duration = .seconds(1), pipeline: IngestPipeline, clock: C, logger: Logger,
        onBound: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        precondition(flushInterval > .zero, "the flush interval is positive")
        self.host = host
        self.port = port
        self.flushInterval = flushInterval
        self.pipeline = pipeline
        self.clock = clock
        self.logger = logger
        self.onBound = onBound
    }

    public func run() async throws {
        let collector = StatsDCollector(metrics: pipeline.metrics?.formats)
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 65_536))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(StatsDHandler(collector: collector)) }
            }
            .bind(host: host, port: port).get()
        logger.notice("statsd: listening on udp \(host):\(channel.localAddress?.port ?? port)")
        await onBound(channel.localAddress?.port ?? port)
        var deadline = clock.now
        while !Task.isCancelled {
            deadline = deadline.advanced(by: flushInterval)
            if deadline < clock.now { deadline = clock.now }
            let until = deadline
            let slept = (try? await cancelWhenGracefulShutdown { try await clock.sleep(until: until, tolerance: nil) }) != nil
            await flush(collector)
            guard slept else { break }
        }
        try? await channel.close()
    }

    private func flush(_ collector: StatsDCollector) async {
        let (events, dropped) = collector.flush(timeNs: pipeline.nowNs())
        guard !events.isEmpty || dropped > 0 else { return }
        do {
            _ = try await pipeline.appendCollected(
                IngestPipeline.Decoded(events: events, skipped: dropped > 0 ? [.malformedLine: dropped] : [:]), format: .statsd, logger: logger)
        } catch {
            logger.error("statsd: appending \(events.count) events failed: \(error.detail)")
        }
    }
}

/// The aggregator shared by the UDP handler and the flush loop.
final class StatsDCollector: Sendable {
    private struct State {
        var aggregator = StatsDAggregator()
        var dropped = 0
    }

    private let state = Mutex(State())
    private let metrics: IngestFormatMetrics?

    init(metrics: IngestFormatMetrics? = nil) {
        self.metrics = metrics
    }

    /// Parses a datagram's lines and adds them; malformed ones are counted.
    func receive(_ text: Substring) {
        var lines: [StatsDLine] = []
        var malformed = 0
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) where !line.isEmpty {
            do { lines.append(try StatsDLine.parse(line)) } catch { malformed += 1 }
        }
        metrics?.recordStatsDDatagram(lines: lines.count + malformed)
        state.withLock { state in
            state.dropped += malformed
            for line in lines where !state.aggregator.add(line) { state.dropped += 1 }
        }
    }

    func flush(timeNs: Int64) -> (events: [Event], dropped: Int) {
        state.withLock { state in
            let (events, refused) = state.aggregator.flush(timeNs: timeNs)
            defer { state.dropped = 0 }
            return (events, state.dropped + refused)
        }
    }
}

/// Hands each datagram's text to the collector.
final class StatsDHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    let collector: StatsDCollector

    init(collector: StatsDCollector) {
        self.collector = collector
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        collector.receive(Substring(String(decoding: envelope.data.readableBytesView, as: UTF8.self)))
    }
}
