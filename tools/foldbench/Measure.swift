import Foundation

/// Timing, medians, resident memory and number formatting for the fold benchmark.
enum Measure {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func median(_ samples: [Double]) -> Double {
        precondition(!samples.isEmpty, "median of no samples")
        let sorted = samples.sorted()
        return sorted[sorted.count / 2]
    }

    /// The median wall time of `runs` calls of `body`, seconds.
    static func median(_ runs: Int, _ body: () -> Void) -> Double {
        median((0..<max(1, runs)).map { _ in
            let clock = ContinuousClock()
            let start = clock.now
            body()
            return seconds(clock.now - start)
        })
    }

    /// This process's resident set from /proc/self/status, in KiB; nil off Linux.
    static func residentKiB() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        }
        return nil
    }

    static func rate(_ value: Double) -> String {
        if value >= 1e6 { return fixed(value / 1e6, 2) + " M" }
        if value >= 1e3 { return fixed(value / 1e3, 1) + " k" }
        return fixed(value, 1) + " "
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", value)
    }

    static func line(_ label: String, _ value: String, target: String = "") {
        let padded = label.padding(toLength: max(label.count + 2, 60), withPad: " ", startingAt: 0)
        print(padded + value + (target.isEmpty ? "" : "   (target " + target + ")"))
    }
}
