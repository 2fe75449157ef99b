import EventStore

/// Collection health: per connection's report stream and for the host vitals
/// (`cpu_percent{core="total"}`), the expected collection slots that got no sample.
/// Connection health itself is derived in the view from the breakers' state.
public struct FaultToleranceProjection: Projection, Mergeable {
    public static let defaultExpectedIntervalNs: Int64 = 1_000_000_000
    public static let sourcesMax = 10_000
    public static let hostVitalsMetric = "cpu_percent"

    public let expectedIntervalNs: Int64
    public private(set) var connections = SortedStringMap<CollectionSlots>()
    public private(set) var hostVitals = CollectionSlots()
    public private(set) var droppedEventCount: UInt64 = 0

    public init() {
        self.init(expectedIntervalNs: Self.defaultExpectedIntervalNs)
    }

    public init(expectedIntervalNs: Int64) {
        precondition(expectedIntervalNs > 0, "expected collection interval must be positive")
        self.expectedIntervalNs = expectedIntervalNs
    }

    public mutating func apply(_ event: Event, offset: UInt64) {
        switch event.body {
        case .connection(let report):
            let interval = expectedIntervalNs
            if connections.modify(report.connection, { $0.record(atNs: event.timeNs, expectedIntervalNs: interval) }) {
                return
            }
            guard connections.count < Self.sourcesMax else {
                droppedEventCount += 1
                return
            }
            var slots = CollectionSlots()
            slots.record(atNs: event.timeNs, expectedIntervalNs: interval)
            connections[report.connection] = slots
        case .metric(let sample) where sample.series.name == Self.hostVitalsMetric && sample.series.labels["core"] == "total" && sample.hasFiniteValue:
            hostVitals.record(atNs: event.timeNs, expectedIntervalNs: expectedIntervalNs)
        default:
            break
        }
    }

    public mutating func merge(_ other: FaultToleranceProjection) {
        precondition(other.expectedIntervalNs == expectedIntervalNs, "merging fault-tolerance states with different expected intervals")
        droppedEventCount += other.droppedEventCount
        hostVitals.merge(other.hostVitals)
        for (name, slots) in other.connections.entries {
            if connections.modify(name, { $0.merge(slots) }) { continue }
            if connections.count < Self.sourcesMax {
                connections[name] = slots
            } else {
                droppedEventCount += slots.sampleCount
            }
        }
    }

    public var totalMissedSlots: UInt64 {
        connections.values.reduce(hostVitals.missedSlots) { $0 + $1.missedSlots }
    }
}
