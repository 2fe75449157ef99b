import ArgumentParser
import EventStore
import Foundation
import Projections

/// `--speed`: a positive factor of event time, or `max`.
enum ReplaySpeed: ExpressibleByArgument, Equatable {
    case factor(Double)
    case max

    static let factorRange = 0.001...1_000_000.0

    init?(argument: String) {
        if argument == "max" {
            self = .max
            return
        }
        guard let value = Double(argument.hasSuffix("x") ? String(argument.dropLast()) : argument),
            Self.factorRange.contains(value)
        else { return nil }
        self = .factor(value)
    }

    /// What `--help` shows as the default: `1`, not `factor(1.0)`.
    var defaultValueDescription: String {
        switch self {
        case .max: "max"
        case .factor(let value): value == value.rounded() ? String(Int(value)) : String(value)
        }
    }
}

/// When to hand over the next event: event time since the first event, divided by the
/// speed, against wall time since the replay began. Late events never wait.
struct ReplayPacer {
    let speed: ReplaySpeed
    private var firstEventNs: Int64?
    private var startWallNs: UInt64 = 0
    /// Waits shorter than this are not worth a sleep: they are made up at the next one.
    static let waitNsMin: Int64 = 1_000_000

    init(speed: ReplaySpeed) {
        self.speed = speed
    }

    mutating func waitNs(forEventNs eventNs: Int64) -> Int64? {
        guard case .factor(let factor) = speed else { return nil }
        let now = DispatchTime.now().uptimeNanoseconds
        guard let first = firstEventNs else {
            firstEventNs = eventNs
            startWallNs = now
            return nil
        }
        let dueNs = Double(eventNs - first) / factor
        let wait = Int64(dueNs) - Int64(now - startWallNs)
        return wait >= Self.waitNsMin ? wait : nil
    }
}

/// Buffered stdout with a bound: flushed at 1 MiB and before every pause.
struct ReplayOutput {
    static let bufferBytesMax = 1 << 20
    var buffer = JSONWriter(reservingCapacity: bufferBytesMax)
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    mutating func append(_ views: ReplayViews) throws {
        buffer.bytes.append(contentsOf: try encoder.encode(views))
        buffer.newline()
        flushIfFull()
    }

    mutating func flushIfFull() {
        if buffer.bytes.count >= Self.bufferBytesMax { flush() }
    }

    mutating func flush() {
        guard !buffer.bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(buffer.bytes))
        buffer.bytes.removeAll(keepingCapacity: true)
    }
}

/// One line of `replay --views`: the main views at the end of an event-time second.
struct ReplayViews: Encodable {
    let second: String
    let offset: UInt64?
    let events: UInt64
    let health: HealthView
    let throughput: ThroughputView
    let latency: LatencyView
    let protocols: ProtocolsView
    let breakers: CircuitBreakersView
    let alerts: AlertsView
    let caches: CacheStatsView
    let optimization: OptimizationView

    init(_ set: ProjectionSet, second: Int64) {
        self.second = EventTime.formatRFC3339(second * EventTime.nanosPerSecond)
        self.offset = set.lastOffset
        self.events = set.eventCount
        health = set.healthView()
        throughput = set.throughput.view()
        latency = set.latency.view()
        protocols = set.latency.protocolsView()
        breakers = set.breakers.view()
        alerts = set.alerts.view()
        caches = set.caches.view()
        optimization = set.optimization.view()
    }
}
