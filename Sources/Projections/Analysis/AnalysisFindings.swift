import EventStore

/// Plain-language observations drawn from a report's figures, in event-time order.
enum AnalysisFindings {
    /// A p99 at least this many times the minute before counts as a rise worth naming.
    static let latencyRiseFactor = 1.5
    /// A cache minute this far (in hit-rate points) below the range's rate is named.
    static let cacheDropPoints = 0.10
    /// An error minute above this percentage is named.
    static let errorPercentNotable = 1.0

    static func findings(for report: AnalysisReport) -> [String] {
        var notes: [(timeNs: Int64, order: Int, text: String)] = []
        func note(_ timeNs: Int64, _ text: String) { notes.append((timeNs, notes.count, text)) }

        for connection in report.breakers.keys.sorted() {
            for interval in report.breakers[connection]!.openIntervals {
                var text = "\(connection) was OPEN for \(number(interval.seconds)) s starting \(clock(interval.from))"
                if interval.to == nil { text += " and still open at the end of the range" }
                let endNs = interval.fromNs + Int64(interval.seconds * 1e9)
                if let rise = latencyRise(report.latency.perMinute, fromNs: interval.fromNs, toNs: endNs) {
                    text += "; p99 rose from \(number(rise.before)) ms to \(number(rise.during)) ms at the same time"
                }
                note(interval.fromNs, text)
            }
        }
        if let worst = report.errors.worstMinute, worst.errorPercent > errorPercentNotable,
            let timeNs = EventTime.parse(worst.minute) {
            note(timeNs, "error rate peaked at \(number(worst.errorPercent)) % (\(worst.failed) of \(worst.operations) operations) in the minute starting \(clock(worst.minute)); \(number(report.errors.errorPercent)) % over the range")
        }
        if let rate = report.cache.hitRate, let low = report.cache.perMinute.min(by: { $0.value < $1.value }),
            low.value < rate - cacheDropPoints {
            note(low.minuteNs, "cache hit rate fell to \(number(low.value * 100)) % in the minute starting \(clock(low.minute)) (\(number(rate * 100)) % over the range)")
        }
        for change in report.health.statusChanges {
            guard let timeNs = EventTime.parse(change.minute) else { continue }
            let score = report.health.perMinute.first { $0.minute == change.minute }?.value
            note(timeNs, "health went from \(change.from) to \(change.to)\(score.map { " (score \(number($0)))" } ?? "") in the minute starting \(clock(change.minute))")
        }
        for step in report.optimizations {
            guard let timeNs = EventTime.parse(step.at) else { continue }
            let before = step.efficiencyBefore.map { "efficiency \(number($0 * 100)) % → " } ?? "efficiency "
            note(timeNs, "optimizer (\(step.mode)) set batch size \(number(step.batchSize)), timeout \(number(step.batchTimeoutMs)) ms at \(clock(step.at)): \(before)\(number(step.efficiencyAfter * 100)) %\(step.reason.map { " (\($0))" } ?? "")")
        }
        for alert in report.alerts.alerts {
            var text = "\(alert.severity) alert \(alert.kind)\(alert.connection.map { " on \($0)" } ?? "") raised at \(clock(alert.raised))"
            if let ack = alert.secondsToAcknowledge { text += ", acknowledged after \(number(ack)) s" }
            text += alert.secondsToResolve.map { ", resolved after \(number($0)) s" } ?? ", not resolved in the range"
            note(alert.raisedNs, text)
        }
        return notes.sorted { ($0.timeNs, $0.order) < ($1.timeNs, $1.order) }.map(\.text)
    }

    /// The p99 of the last minute before `fromNs` against the highest p99 of the minutes
    /// overlapping `fromNs...toNs`; nil when there is no rise of `latencyRiseFactor`.
    static func latencyRise(_ perMinute: [MinutePoint], fromNs: Int64, toNs: Int64) -> (before: Double, during: Double)? {
        let startMinuteNs = Analyzer.floor(fromNs, to: 60 * EventTime.nanosPerSecond)
        guard let before = perMinute.last(where: { $0.minuteNs < startMinuteNs }),
            let during = perMinute.filter({ $0.minuteNs >= startMinuteNs && $0.minuteNs <= toNs }).max(by: { $0.value < $1.value }),
            during.value >= before.value * latencyRiseFactor
        else { return nil }
        return (before.value, during.value)
    }

    /// "14:02:00" from an RFC 3339 time.
    static func clock(_ rfc3339: String) -> String {
        guard let t = rfc3339.firstIndex(of: "T") else { return rfc3339 }
        return String(rfc3339[rfc3339.index(after: t)...].prefix(8))
    }

    /// At most one decimal, none when whole.
    static func number(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int64(rounded)) }
        return String(rounded)
    }
}
