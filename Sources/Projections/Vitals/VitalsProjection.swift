import EventStore

/// Host vitals from the fixed `metric` names: `cpu_percent{core=total|N}`,
/// `memory_bytes{kind=total|used|available|buffers|cached|swap_used}` and
/// `load_average{period=1m|5m|15m}`. Keeps the newest reading of each (by event
/// time) and a per-second history of the last 60 s for charts.
public struct VitalsProjection: Projection, Mergeable {
    public static let historySeconds = 60
    /// Cores tracked; samples for more cores are counted in `ignoredSamples`.
    public static let coresMax = 1024

    public static let cpuMetric = "cpu_percent"
    public static let memoryMetric = "memory_bytes"
    public static let loadMetric = "load_average"

    public struct Memory: Codable, Sendable, Equatable {
        public var total: Reading?
        public var used: Reading?
        public var available: Reading?
        public var buffers: Reading?
        public var cached: Reading?
        public var swapUsed: Reading?
    }

    public struct Load: Codable, Sendable, Equatable {
        public var oneMinute: Reading?
        public var fiveMinutes: Reading?
        public var fifteenMinutes: Reading?
    }

    public struct Core: Codable, Sendable, Equatable {
        public let core: Int
        public var reading: Reading
    }

    public private(set) var cpuTotal: Reading?
    /// Sorted by core number.
    public private(set) var cores: [Core] = []
    public private(set) var memory = Memory()
    public private(set) var load = Load()
    public private(set) var history = TimeRing<VitalsSecond>(slotWidthNs: TimeUnits.nanosPerSecond, capacity: historySeconds)
    /// Vitals samples with a label this projection does not know (an unknown core,
    /// kind or period, or a core past `coresMax`).
    public private(set) var ignoredSamples: UInt64 = 0

    public init() {}

    public mutating func apply(_ event: Event, offset: UInt64) {
        // NaN, ±Inf and stale markers are no reading (`MetricSample.hasFiniteValue`).
        guard case .metric(let sample) = event.body, sample.hasFiniteValue else { return }
        let name = sample.series.name
        let reading = Reading(value: sample.value, timeNs: event.timeNs)
        if name == Self.cpuMetric {
            applyCPU(sample.series.labels["core"], reading)
        } else if name == Self.memoryMetric {
            applyMemory(sample.series.labels["kind"], reading)
        } else if name == Self.loadMetric {
            applyLoad(sample.series.labels["period"], reading)
        }
    }

    private mutating func applyCPU(_ core: String?, _ reading: Reading) {
        if core == "total" {
            cpuTotal.offer(reading)
            history.update(atTimeNs: reading.timeNs) { $0.cpuTotal.offer(reading) }
            return
        }
        guard let core, let number = Int(core), number >= 0 else {
            ignoredSamples &+= 1
            return
        }
        var low = 0, high = cores.count
        while low < high {
            let mid = (low + high) / 2
            if cores[mid].core < number { low = mid + 1 } else { high = mid }
        }
        if low < cores.count, cores[low].core == number {
            var current: Reading? = cores[low].reading
            current.offer(reading)
            cores[low].reading = current!
        } else if cores.count < Self.coresMax {
            cores.insert(Core(core: number, reading: reading), at: low)
        } else {
            ignoredSamples &+= 1
        }
    }

    private mutating func applyMemory(_ kind: String?, _ reading: Reading) {
        switch kind {
        case "total":
            memory.total.offer(reading)
            history.update(atTimeNs: reading.timeNs) { $0.memoryTotal.offer(reading) }
        case "used":
            memory.used.offer(reading)
            history.update(atTimeNs: reading.timeNs) { $0.memoryUsed.offer(reading) }
        case "available": memory.available.offer(reading)
        case "buffers": memory.buffers.offer(reading)
        case "cached": memory.cached.offer(reading)
        case "swap_used": memory.swapUsed.offer(reading)
        default: ignoredSamples &+= 1
        }
    }

    private mutating func applyLoad(_ period: String?, _ reading: Reading) {
        switch period {
        case "1m":
            load.oneMinute.offer(reading)
            history.update(atTimeNs: reading.timeNs) { $0.load1m.offer(reading) }
        case "5m": load.fiveMinutes.offer(reading)
        case "15m": load.fifteenMinutes.offer(reading)
        default: ignoredSamples &+= 1
        }
    }

    /// Shards of one host's samples: the newest reading of each figure wins.
    public mutating func merge(_ other: VitalsProjection) {
        if let r = other.cpuTotal { cpuTotal.offer(r) }
        for core in other.cores { applyCPU(String(core.core), core.reading) }
        let m = other.memory
        for (path, reading) in [(\Memory.total, m.total), (\.used, m.used), (\.available, m.available), (\.buffers, m.buffers), (\.cached, m.cached), (\.swapUsed, m.swapUsed)] {
            if let reading { memory[keyPath: path].offer(reading) }
        }
        let l = other.load
        for (path, reading) in [(\Load.oneMinute, l.oneMinute), (\.fiveMinutes, l.fiveMinutes), (\.fifteenMinutes, l.fifteenMinutes)] {
            if let reading { load[keyPath: path].offer(reading) }
        }
        history.merge(other.history)
        ignoredSamples &+= other.ignoredSamples
    }
}
