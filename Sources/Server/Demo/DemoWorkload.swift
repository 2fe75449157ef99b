import EventStore
import Foundation

/// A seeded, deterministic simulation of a monitored service, second by second of
/// event time: connections with monitors, operations over several protocols, circuit
/// breakers that trip, half-open and recover, caches that warm and degrade, a dynamic
/// batcher, an auto-mode optimizer, latency spikes and error bursts with annotations,
/// and (unless a real collector runs) host vitals. Same seed, same events.
public struct DemoWorkload: Sendable {
    /// Operations emitted in one second, at most; the rest of a second's events are
    /// a few dozen, so a second never holds more than `eventsPerSecondMax`.
    public static let opsPerSecondMax = 1500
    public static let eventsPerSecondMax = 2000
    static let cacheReportEverySeconds = 5
    static let optimizerEverySeconds = 30

    public let seed: UInt64
    public let startTimeNs: Int64
    public let emitsHostVitals: Bool
    /// The next second `nextSecond()` will produce, counted from `startTimeNs`.
    public private(set) var second = 0

    var random: SplitMix64
    var breakers = Array(repeating: DemoBreaker(), count: DemoCatalog.connections.count)
    var caches = Array(repeating: DemoCacheCounters(), count: DemoCatalog.caches.count)
    var incidents: [DemoIncident] = []
    var incidentsScheduled = 0
    var params = OptimizationParams(batchSize: 100, batchTimeoutMs: 50, cacheTTLMultiplier: 1, maxConcurrentOps: 64)
    var window = DemoWindow()
    var host = DemoHostState()
    var requestsTotal: UInt64 = 0

    public init(seed: UInt64, startTimeNs: Int64, emitsHostVitals: Bool = true) {
        precondition(startTimeNs >= 0, "event times are nanoseconds since the Unix epoch")
        self.seed = seed
        self.startTimeNs = startTimeNs
        self.emitsHostVitals = emitsHostVitals
        self.random = SplitMix64(seed: seed)
    }

    /// The events of the next second, sorted by event time, all within
    /// `[startTimeNs + second s, startTimeNs + (second + 1) s)`.
    public mutating func nextSecond() -> [Event] {
        var out = DemoSecond(second: second, baseNs: startTimeNs + Int64(second) * EventTime.nanosPerSecond)
        if second == 0 {
            out.add(atMs: 0, .annotation(Annotation(text: "demo session started (seed \(seed))", tags: ["demo"])))
        }
        scheduleIncidents(&out)
        let perConnection = simulateOperations(&out)
        tickBreakers(&out)
        reportConnections(&out, perConnection)
        simulateCaches(&out, lookups: perConnection.reduce(0) { $0 + $1.count })
        simulateBatcher(&out, ops: perConnection.reduce(0) { $0 + $1.count })
        if second % Self.optimizerEverySeconds == Self.optimizerEverySeconds / 2 { optimize(&out) }
        if emitsHostVitals { simulateHost(&out, ops: perConnection.reduce(0) { $0 + $1.count }) }
        second += 1
        let events = out.sorted()
        assert(events.count <= Self.eventsPerSecondMax, "demo second over its event budget")
        return events
    }

    func activeIncidents(_ kind: DemoIncident.Kind, connection: Int? = nil) -> DemoIncident? {
        incidents.first { $0.kind == kind && $0.isActive(at: second) && (connection == nil || $0.connection == connection) }
    }

    private mutating func scheduleIncidents(_ out: inout DemoSecond) {
        while incidents.last.map({ $0.startSecond <= second }) ?? true {
            let next = DemoIncident.scheduled(index: incidentsScheduled, after: incidents.last, random: &random)
            incidentsScheduled += 1
            incidents.append(next)
        }
        for incident in incidents {
            if incident.startSecond == second {
                out.add(atMs: 1, .annotation(Annotation(text: "incident: \(incident.description)", tags: ["incident", "demo", incident.kind.tag])))
            } else if incident.endSecond == second {
                out.add(atMs: 1, .annotation(Annotation(text: "resolved: \(incident.description)", tags: ["resolved", "demo", incident.kind.tag])))
            }
        }
        incidents.removeAll { $0.endSecond < second }
    }
}

/// Collects one second's events with their times, then sorts them stably.
struct DemoSecond {
    let second: Int
    let baseNs: Int64
    private var events: [Event] = []

    init(second: Int, baseNs: Int64) {
        self.second = second
        self.baseNs = baseNs
        events.reserveCapacity(DemoWorkload.opsPerSecondMax + 128)
    }

    mutating func add(atNs offsetNs: Int64, _ body: EventBody) {
        precondition(offsetNs >= 0 && offsetNs < EventTime.nanosPerSecond, "a demo event stays within its second")
        events.append(Event(timeNs: baseNs + offsetNs, body: body))
    }

    mutating func add(atMs offsetMs: Int64, _ body: EventBody) {
        add(atNs: offsetMs * 1_000_000, body)
    }

    mutating func metric(atMs offsetMs: Int64, _ name: String, _ labels: [String: String], _ value: Double, _ kind: MetricKind = .gauge) {
        precondition(value.isFinite, "metric \(name) must be finite")
        add(atMs: offsetMs, .metric(MetricSample(name: name, labels: labels, value: value, kind: kind)))
    }

    func sorted() -> [Event] {
        events.enumerated().sorted { ($0.element.timeNs, $0.offset) < ($1.element.timeNs, $1.offset) }.map(\.element)
    }
}
