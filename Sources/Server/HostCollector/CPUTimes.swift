/// Cumulative CPU time of one CPU line of `/proc/stat`, in clock ticks.
public struct CPUTicks: Sendable, Equatable {
    public var busy: UInt64
    public var idle: UInt64

    public init(busy: UInt64, idle: UInt64) {
        self.busy = busy
        self.idle = idle
    }

    public var total: UInt64 { busy &+ idle }

    /// Percent busy between two reads; nil when no time passed or the counters went
    /// backwards (a CPU brought offline and back resets them).
    public static func busyPercent(from earlier: CPUTicks, to later: CPUTicks) -> Double? {
        guard later.busy >= earlier.busy, later.idle >= earlier.idle else { return nil }
        let busy = later.busy - earlier.busy
        let total = busy + (later.idle - earlier.idle)
        guard total > 0 else { return nil }
        return Double(busy) * 100 / Double(total)
    }
}

/// The CPU lines of `/proc/stat`: the aggregate and each core.
public struct CPUTimes: Sendable, Equatable {
    public var total: CPUTicks
    /// By core number, as the kernel names them (`cpu0`, `cpu1`, ...).
    public var cores: [Int: CPUTicks]

    public init(total: CPUTicks, cores: [Int: CPUTicks]) {
        self.total = total
        self.cores = cores
    }

    /// Columns: user nice system idle iowait irq softirq steal guest guest_nice. Idle
    /// time is idle + iowait; guest time is already inside user and nice, so it is not
    /// added again.
    public static func parse(procStat text: String) throws(ProcParseError) -> CPUTimes {
        var total: CPUTicks?
        var cores: [Int: CPUTicks] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            let label = fields[0]
            let numbers = fields.dropFirst().prefix(8).map { UInt64($0) }
            guard numbers.count >= 4, numbers.allSatisfy({ $0 != nil }) else {
                throw ProcParseError(file: "/proc/stat", reason: "line '\(label)' has fewer than 4 numeric columns")
            }
            let values = numbers.map { $0! } + Array(repeating: 0, count: 8 - numbers.count)
            let idle = values[3] &+ values[4]
            let busy = values[0] &+ values[1] &+ values[2] &+ values[5] &+ values[6] &+ values[7]
            let ticks = CPUTicks(busy: busy, idle: idle)
            if label == "cpu" {
                total = ticks
            } else if let core = Int(label.dropFirst(3)) {
                cores[core] = ticks
            }
        }
        guard let total else { throw ProcParseError(file: "/proc/stat", reason: "no aggregate 'cpu' line") }
        return CPUTimes(total: total, cores: cores)
    }
}
