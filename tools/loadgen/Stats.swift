import Foundation

/// Percentiles, rates, elapsed time and another process's resident memory.
enum Stats {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double { seconds(duration) * 1000 }

    /// The `fraction` percentile (nearest rank) of `sorted`, nil when empty.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func describe(latenciesMs samples: [Double]) -> String {
        let sorted = samples.sorted()
        guard let p50 = percentile(sorted, 0.5), let p99 = percentile(sorted, 0.99), let max = sorted.last else { return "no samples" }
        return "p50 \(fixed(p50, 2)) ms, p99 \(fixed(p99, 2)) ms, max \(fixed(max, 2)) ms (\(sorted.count) samples)"
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func rate(_ value: Double) -> String {
        if value >= 1e6 { return fixed(value / 1e6, 2) + " M" }
        if value >= 1e3 { return fixed(value / 1e3, 1) + " k" }
        return fixed(value, 1) + " "
    }

    /// VmRSS of process `pid` in KiB, nil when it cannot be read.
    static func residentKiB(pid: Int) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    static func serverRSS(_ pid: Int?) -> String {
        guard let pid else { return "(no --server-pid)" }
        guard let kib = residentKiB(pid: pid) else { return "(unreadable for pid \(pid))" }
        return "\(fixed(Double(kib) / 1024, 1)) MiB"
    }
}
