import EventStore

/// Turns reads of `/proc` into the vitals `metric` events of DESIGN.md:
/// `cpu_percent{core=total|N}`, `memory_bytes{kind=...}`, `load_average{period=...}`,
/// plus the process's own `process_resident_memory_bytes` and
/// `process_cpu_seconds_total` (a counter).
///
/// CPU percent needs two reads, so the first sample has no `cpu_percent` events.
public struct HostVitalsSampler: Sendable {
    public struct Sample: Sendable {
        public var events: [Event]
        /// Files that could not be read or parsed this time; the rest were still sampled.
        public var failures: [any Error & Sendable]
    }

    private var previousCPU: CPUTimes?

    public init() {}

    public mutating func sample(from source: some ProcSource, timeNs: Int64) -> Sample {
        var events: [Event] = []
        var failures: [any Error & Sendable] = []
        func metric(_ name: String, _ labels: [String: String], _ value: Double, _ kind: MetricKind = .gauge) {
            events.append(Event(timeNs: timeNs, body: .metric(MetricSample(name: name, labels: labels, value: value, kind: kind))))
        }

        do {
            let cpu = try CPUTimes.parse(procStat: source.read("/proc/stat"))
            if let previous = previousCPU {
                if let percent = CPUTicks.busyPercent(from: previous.total, to: cpu.total) {
                    metric("cpu_percent", ["core": "total"], percent)
                }
                for core in cpu.cores.keys.sorted() {
                    guard let before = previous.cores[core], let now = cpu.cores[core],
                          let percent = CPUTicks.busyPercent(from: before, to: now) else { continue }
                    metric("cpu_percent", ["core": String(core)], percent)
                }
            }
            previousCPU = cpu
        } catch {
            failures.append(error)
        }

        do {
            let memory = try MemoryInfo.parse(procMeminfo: source.read("/proc/meminfo"))
            metric("memory_bytes", ["kind": "total"], Double(memory.totalBytes))
            metric("memory_bytes", ["kind": "used"], Double(memory.usedBytes))
            metric("memory_bytes", ["kind": "available"], Double(memory.availableBytes))
            metric("memory_bytes", ["kind": "buffers"], Double(memory.buffersBytes))
            metric("memory_bytes", ["kind": "cached"], Double(memory.cachedBytes))
            metric("memory_bytes", ["kind": "swap_used"], Double(memory.swapUsedBytes))
        } catch {
            failures.append(error)
        }

        do {
            let load = try LoadAverage.parse(procLoadavg: source.read("/proc/loadavg"))
            metric("load_average", ["period": "1m"], load.oneMinute)
            metric("load_average", ["period": "5m"], load.fiveMinutes)
            metric("load_average", ["period": "15m"], load.fifteenMinutes)
        } catch {
            failures.append(error)
        }

        do {
            let usage = try ProcessUsage.parse(
                selfStat: source.read("/proc/self/stat"), selfStatm: source.read("/proc/self/statm"),
                ticksPerSecond: source.ticksPerSecond, pageSizeBytes: source.pageSizeBytes)
            metric("process_resident_memory_bytes", [:], Double(usage.residentBytes))
            metric("process_cpu_seconds_total", [:], usage.cpuSeconds, .counter)
        } catch {
            failures.append(error)
        }
        return Sample(events: events, failures: failures)
    }
}
