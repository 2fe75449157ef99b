/// Requests per protocol (a missing protocol counts as "unknown"): share, rate,
/// latency, errors and a status, read from the latency projection's per-protocol
/// windows. (A projection of its own folded the same window of every operation a
/// second time: an eighth of the demo fold.)
extension LatencyProjection {
    /// The protocols view over the 60 complete seconds before the last operation's
    /// second, or before `atNs` when later.
    public func protocolsView(atNs: Int64? = nil) -> ProtocolsView {
        let (now, first, last) = window(atNs: atNs)
        let seconds = Double(Self.windowSeconds)

        struct Raw { let name: String; let buckets: LatencyBuckets; let errors: UInt64; let totals: OpCounts }
        let raws: [Raw] = byProtocol.entries.map { entry in
            let (buckets, errors) = entry.value.windowBuckets(fromSecond: first, throughSecond: last)
            return Raw(name: entry.key, buckets: buckets, errors: errors, totals: entry.value.totals)
        }
        let windowTotal = raws.reduce(UInt64(0)) { $0 + $1.buckets.totalCount }
        let sinceStartTotal = raws.reduce(UInt64(0)) { $0 + $1.totals.count }
        let fraction: (UInt64, UInt64) -> Double = { part, whole in whole == 0 ? 0 : Double(part) / Double(whole) }

        let entries = raws.map { raw -> ProtocolsView.Entry in
            let n = raw.buckets.totalCount
            var sum = 0.0
            for (index, count) in raw.buckets.counts.enumerated() where count > 0 {
                sum += LatencyScale.representativeMs(ofIndex: index) * Double(count)
            }
            let errorRate = fraction(raw.errors, n) * 100
            let p99 = raw.buckets.valueAtPercentileMs(99)
            return .init(
                name: raw.name, requests: n,
                share: fraction(n, windowTotal), percentage: fraction(n, windowTotal) * 100,
                rps: Double(n) / seconds,
                p50: raw.buckets.valueAtPercentileMs(50), p99: p99,
                avgLatency: n == 0 ? 0 : sum / Double(n),
                errors: raw.errors, errorRate: errorRate, errorsPerSecond: Double(raw.errors) / seconds,
                status: ProtocolStatus(requests: n, errorPercent: errorRate, p99Ms: p99),
                requestsSinceStart: raw.totals.count, errorsSinceStart: raw.totals.errors,
                shareSinceStart: fraction(raw.totals.count, sinceStartTotal))
        }
        return ProtocolsView(
            asOf: now.map { TimeStamp(timeNs: $0 * TimeUnits.nanosPerSecond) },
            windowSeconds: Self.windowSeconds,
            requests: windowTotal,
            requestsSinceStart: sinceStartTotal,
            protocols: entries,
            distribution: entries.map { .init(name: $0.name, value: $0.requests, percent: $0.percentage) })
    }
}
