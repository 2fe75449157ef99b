import EventStore
import Foundation

extension DemoWorkload {
    /// Caches warm from a cold start towards their hit ratio, and lose entries and hit
    /// ratio during a cache degradation. Reports are cumulative, every few seconds.
    mutating func simulateCaches(_ out: inout DemoSecond, lookups ops: Int) {
        let degraded = activeIncidents(.cacheDegradation) != nil
        let shares = [0.6, 0.3, 0.45]
        for (index, cache) in DemoCatalog.caches.enumerated() {
            let lookups = UInt64(Double(ops) * shares[index])
            var ratio = cache.warmHitRatio - (cache.warmHitRatio - 0.35) * exp(-Double(second) / 45)
            if degraded { ratio *= 0.55 }
            ratio = min(0.999, max(0.01, ratio + 0.01 * random.gaussian()))
            let hits = UInt64((Double(lookups) * ratio).rounded())
            let misses = lookups - min(hits, lookups)
            var counters = caches[index]
            counters.hits += min(hits, lookups)
            counters.misses += misses
            counters.entries += misses * 4 / 5
            if degraded {
                let evicted = counters.entries / 20
                counters.evictions += evicted
                counters.entries -= evicted
            }
            if counters.entries > cache.entriesMax {
                counters.evictions += counters.entries - cache.entriesMax
                counters.entries = cache.entriesMax
            }
            caches[index] = counters
            guard second % Self.cacheReportEverySeconds == 0 else { continue }
            out.add(atMs: 500, .cache(CacheReport(
                cache: cache.name, hits: counters.hits, misses: counters.misses, evictions: counters.evictions,
                sizeBytes: counters.entries * cache.entryBytes, entries: counters.entries,
                compressionRatio: random.uniform(2.1...2.6), avgTTLms: cache.baseTTLms * params.cacheTTLMultiplier)))
        }
    }

    /// A few batches a second, sized around the optimizer's batch size.
    mutating func simulateBatcher(_ out: inout DemoSecond, ops: Int) {
        let spiking = activeIncidents(.latencySpike) != nil
        let batches = 2 + ops / 300
        for index in 0..<batches {
            let size = max(1, UInt64((params.batchSize * random.uniform(0.6...1.15)).rounded()))
            var latency = 2 + Double(size) * 0.09 * exp(0.2 * random.gaussian())
            if spiking { latency *= 2.5 }
            let queueDepth = UInt64(max(0, Double(ops) / 4 + 20 * random.gaussian() + (spiking ? 300 : 0)))
            let high = size / 5
            let medium = size / 2
            out.add(atMs: Int64(100 + index * 800 / batches), .batch(BatchReport(
                size: size, optimalSize: UInt64(params.batchSize.rounded()), latencyMs: latency, queueDepth: queueDepth,
                priority: PriorityCounts(high: high, medium: medium, low: size - high - medium))))
        }
    }

    /// Every half minute the auto-mode optimizer looks at the last window and moves
    /// its parameters: smaller batches under high latency, less concurrency under
    /// errors, otherwise back towards the throughput optimum.
    mutating func optimize(_ out: inout DemoSecond) {
        let latencyRatio = window.meanLatencyMs / 15
        let errorRate = window.errorRate
        let efficiency = min(0.98, max(0.3, 1 - errorRate * 4 - max(0, latencyRatio - 1) * 0.1 - 0.03 * random.unit()))
        let reason: String
        if latencyRatio > 1.5 {
            params.batchSize *= 0.8
            params.batchTimeoutMs *= 0.8
            params.maxConcurrentOps += 8
            reason = "mean latency \(Int(window.meanLatencyMs.rounded())) ms above the 15 ms target: smaller batches, more concurrency"
        } else if errorRate > 0.03 {
            params.maxConcurrentOps -= 8
            params.cacheTTLMultiplier *= 1.2
            reason = "error rate \(Int((errorRate * 100).rounded())) %: shedding concurrency, longer cache TTLs"
        } else {
            params.batchSize += (128 - params.batchSize) * 0.3
            params.batchTimeoutMs += (50 - params.batchTimeoutMs) * 0.3
            params.cacheTTLMultiplier += (1 - params.cacheTTLMultiplier) * 0.3
            params.maxConcurrentOps += (64 - params.maxConcurrentOps) * 0.3
            reason = "steady: moving towards the throughput optimum"
        }
        params.batchSize = min(512, max(8, params.batchSize.rounded()))
        params.batchTimeoutMs = min(500, max(5, params.batchTimeoutMs.rounded()))
        params.cacheTTLMultiplier = min(4, max(0.25, (params.cacheTTLMultiplier * 100).rounded() / 100))
        params.maxConcurrentOps = min(256, max(8, params.maxConcurrentOps.rounded()))
        out.add(atMs: 980, .optimization(OptimizationChange(mode: .auto, efficiency: efficiency, params: params, reason: reason)))
        window = DemoWindow()
    }

    /// Vitals of a simulated 4-core, 16 GiB host, following the traffic.
    mutating func simulateHost(_ out: inout DemoSecond, ops: Int) {
        let spiking = activeIncidents(.latencySpike) != nil || activeIncidents(.errorBurst) != nil
        let total = min(99, max(1, 12 + 55 * Double(ops) / Double(Self.opsPerSecondMax) + (spiking ? 12 : 0) + 3 * random.gaussian()))
        out.metric(atMs: 100, "cpu_percent", ["core": "total"], total)
        for core in 0..<DemoCatalog.cpuCores {
            out.metric(atMs: 100, "cpu_percent", ["core": String(core)], min(100, max(0, total + 8 * random.gaussian())))
        }
        // Memory creeps up with traffic and drops at each simulated collection.
        host.memoryUsedBytes += Double(ops) * 2_048 + 4_096 * random.gaussian()
        if second % 60 == 59 { host.memoryUsedBytes *= 0.8 }
        host.memoryUsedBytes = min(DemoCatalog.memoryTotalBytes * 0.95, max(2 * 1024 * 1024 * 1024, host.memoryUsedBytes))
        let totalBytes = DemoCatalog.memoryTotalBytes
        let used = host.memoryUsedBytes.rounded()
        out.metric(atMs: 100, "memory_bytes", ["kind": "total"], totalBytes)
        out.metric(atMs: 100, "memory_bytes", ["kind": "used"], used)
        out.metric(atMs: 100, "memory_bytes", ["kind": "available"], totalBytes - used)
        out.metric(atMs: 100, "memory_bytes", ["kind": "buffers"], (310 * 1024 * 1024 + 1024 * 1024 * random.unit()).rounded())
        out.metric(atMs: 100, "memory_bytes", ["kind": "cached"], (min(4.2 * 1024 * 1024 * 1024, (totalBytes - used) * 0.5)).rounded())
        out.metric(atMs: 100, "memory_bytes", ["kind": "swap_used"], 12 * 1024 * 1024)
        // Load averages as the kernel computes them: exponentially damped runnable counts.
        let runnable = total / 100 * Double(DemoCatalog.cpuCores) * 1.1
        host.load1 += (runnable - host.load1) * (1 - exp(-1.0 / 60))
        host.load5 += (runnable - host.load5) * (1 - exp(-1.0 / 300))
        host.load15 += (runnable - host.load15) * (1 - exp(-1.0 / 900))
        out.metric(atMs: 100, "load_average", ["period": "1m"], (host.load1 * 100).rounded() / 100)
        out.metric(atMs: 100, "load_average", ["period": "5m"], (host.load5 * 100).rounded() / 100)
        out.metric(atMs: 100, "load_average", ["period": "15m"], (host.load15 * 100).rounded() / 100)
    }
}
