/// How a back-test's alerts compare with the alerts recorded in the same range.
public struct AlertDiff: Sendable, Equatable {
    public struct Match: Sendable, Equatable {
        public let backtest: AlertOccurrence
        public let recorded: AlertOccurrence
    }

    /// Would have fired under the rules tested, but the log has no such alert.
    public let onlyBacktest: [AlertOccurrence]
    /// In the log, but the rules tested would not have raised it.
    public let onlyRecorded: [AlertOccurrence]
    public let both: [Match]

    /// Pairs alerts with the same id first (the same rules over the same log give the
    /// same ids); then, for rules whose thresholds changed, an alert of the same kind,
    /// connection and metric fired within `toleranceSeconds` of each other, nearest first.
    public init(backtest: [AlertOccurrence], recorded: [AlertOccurrence], toleranceSeconds: Int64 = 0) {
        precondition(toleranceSeconds >= 0, "a tolerance is a distance")
        let toleranceNs = RuleTime.nanoseconds(seconds: toleranceSeconds)
        var recordedUnmatched = Array(recorded.indices)
        var recordedIndexByID: [String: Int] = [:]
        for (index, occurrence) in recorded.enumerated() where recordedIndexByID[occurrence.id] == nil {
            recordedIndexByID[occurrence.id] = index
        }
        var matchedRecorded = Set<Int>()
        var pairs: [(backtest: Int, recorded: Int)] = []
        var backtestUnmatched: [Int] = []
        for (index, occurrence) in backtest.enumerated() {
            if let match = recordedIndexByID[occurrence.id], !matchedRecorded.contains(match) {
                matchedRecorded.insert(match)
                pairs.append((index, match))
            } else {
                backtestUnmatched.append(index)
            }
        }
        recordedUnmatched.removeAll { matchedRecorded.contains($0) }
        var stillUnmatched: [Int] = []
        for index in backtestUnmatched {
            let alert = backtest[index]
            let candidates = recordedUnmatched.filter { candidate in
                let other = recorded[candidate]
                return !matchedRecorded.contains(candidate) && other.kind == alert.kind && other.connection == alert.connection
                    && other.metric == alert.metric
                    && abs(RuleTime.elapsed(from: other.firedAtNs, to: alert.firedAtNs)) <= toleranceNs
            }
            let nearest = candidates.min { a, b in
                abs(RuleTime.elapsed(from: recorded[a].firedAtNs, to: alert.firedAtNs))
                    < abs(RuleTime.elapsed(from: recorded[b].firedAtNs, to: alert.firedAtNs))
            }
            if let nearest {
                matchedRecorded.insert(nearest)
                pairs.append((index, nearest))
            } else {
                stillUnmatched.append(index)
            }
        }
        pairs.sort { $0.backtest < $1.backtest }
        self.both = pairs.map { Match(backtest: backtest[$0.backtest], recorded: recorded[$0.recorded]) }
        self.onlyBacktest = stillUnmatched.map { backtest[$0] }
        self.onlyRecorded = recorded.indices.filter { !matchedRecorded.contains($0) }.map { recorded[$0] }
    }
}
