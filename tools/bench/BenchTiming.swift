/// Runs a measurement several times and keeps the median, so one disturbed run (the
/// machine is shared) does not decide the figure.
enum BenchTiming {
    static func medianSeconds(repetitions: Int, _ body: () -> Void) -> Double {
        precondition(repetitions > 0)
        var samples: [Double] = []
        let clock = ContinuousClock()
        for _ in 0..<repetitions {
            let elapsed = clock.measure(body)
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}

extension BenchTiming {
    static func medianSecondsThrowing(repetitions: Int, _ body: () throws -> Void) throws -> Double {
        var failure: (any Error)?
        let seconds = medianSeconds(repetitions: repetitions) {
            do { try body() } catch { failure = error }
        }
        if let failure { throw failure }
        return seconds
    }
}

enum BenchFormat {
    static func rate(_ value: Double) -> String {
        if value >= 1e6 { return fixed(value / 1e6, 2) + " M" }
        if value >= 1e3 { return fixed(value / 1e3, 1) + " k" }
        return fixed(value, 1) + " "
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        let integer = Int64(scaled / scale)
        let fraction = Int64(abs(scaled - Double(integer) * scale))
        guard decimals > 0 else { return "\(integer)" }
        var digits = String(fraction)
        while digits.count < decimals { digits = "0" + digits }
        let sign = value < 0 && integer == 0 ? "-" : ""
        return "\(sign)\(integer).\(digits)"
    }

    static func line(_ label: String, _ value: String, target: String = "") {
        var padded = label
        while padded.count < 58 { padded += " " }
        print(padded + value + (target.isEmpty ? "" : "   (target " + target + ")"))
    }
}
