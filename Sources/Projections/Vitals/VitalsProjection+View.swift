extension VitalsProjection {
    public func cpuView() -> CPUView {
        let newest = ([cpuTotal] + cores.map { Optional($0.reading) }).compactMap { $0?.timeNs }.max()
        let l = load
        var points: [CPUView.Point] = []
        for entry in history.liveEntries {
            guard let r = entry.bucket.cpuTotal else { continue }
            let t = entry.unit * TimeUnits.nanosPerSecond
            points.append(.init(timeNs: t, time: TimeStamp(timeNs: t).time, total: r.value))
        }
        let all = [l.oneMinute, l.fiveMinutes, l.fifteenMinutes].compactMap { $0?.value }
        return CPUView(
            asOf: newest.map(TimeStamp.init(timeNs:)),
            total: cpuTotal?.value,
            totalUtilization: cpuTotal?.value,
            cores: cores.map { .init(core: $0.core, utilization: $0.reading.value) },
            loadAverage: all.count == 3 ? all : [],
            load: .init(oneMinute: l.oneMinute?.value, fiveMinutes: l.fiveMinutes?.value, fifteenMinutes: l.fifteenMinutes?.value),
            history: points)
    }

    /// The newest reading of `reading` as a percentage of the newest total memory.
    func percentOfMemory(_ reading: Reading?) -> Double? {
        guard let reading, let total = memory.total?.value, total > 0 else { return nil }
        return reading.value / total * 100
    }

    public func memoryView() -> MemoryView {
        let m = memory
        let newest = [m.total, m.used, m.available, m.buffers, m.cached, m.swapUsed].compactMap { $0?.timeNs }.max()
        let total = m.total?.value
        let percent = percentOfMemory
        var points: [MemoryView.Point] = []
        var knownTotal = total
        // The newest total at or before each second, so a chart's percentages use the
        // total of their time when it was reported in the window.
        let entries = history.liveEntries
        var totals: [Double?] = []
        var running: Double? = nil
        for entry in entries {
            if let t = entry.bucket.memoryTotal?.value { running = t }
            totals.append(running)
        }
        for (entry, totalThen) in zip(entries, totals) {
            guard let used = entry.bucket.memoryUsed?.value else { continue }
            knownTotal = totalThen ?? total
            let t = entry.unit * TimeUnits.nanosPerSecond
            let pct = knownTotal.flatMap { $0 > 0 ? used / $0 * 100 : nil }
            points.append(.init(timeNs: t, time: TimeStamp(timeNs: t).time, used: used, usedPercent: pct))
        }
        var bufferCache: Double?
        if let b = m.buffers?.value, let c = m.cached?.value { bufferCache = b + c }
        return MemoryView(
            asOf: newest.map(TimeStamp.init(timeNs:)),
            total: total, used: m.used?.value, available: m.available?.value,
            buffers: m.buffers?.value, cached: m.cached?.value, swapUsed: m.swapUsed?.value,
            bufferCache: bufferCache,
            usedPercent: percent(m.used), availablePercent: percent(m.available),
            buffersPercent: percent(m.buffers), cachedPercent: percent(m.cached),
            history: points)
    }
}
