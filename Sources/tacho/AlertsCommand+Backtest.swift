import ArgumentParser
import EventStore
import Foundation
import Projections

/// Runs a rule file over a recorded range without appending, and compares what it
/// would have raised with the alerts recorded there.
struct AlertsBacktestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backtest",
        abstract: "Back-test a rule file on a recorded range: the alerts it would have fired and resolved, and the diff with the recorded ones.",
        discussion: "The data directory is opened read-only; nothing is appended.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    static let ruleFileBytesMax = 1 << 20

    @Option(help: "The rule file to test: Tacho's JSON rules, or a Prometheus rule file (YAML, groups of alerting rules).")
    var rules: String

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "First event time (RFC 3339 or ns); default: the oldest retained.")
    var from: TimeArgument?

    @Option(help: "Events strictly before this time (RFC 3339 or ns); default: the end.")
    var to: TimeArgument?

    @Option(name: .customLong("tolerance-seconds"), help: "Pair a tested and a recorded alert of the same kind and subject fired this far apart.")
    var toleranceSeconds: Int64 = 0

    @Option(help: "Output format: text or json.")
    var format: Format = .text

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard toleranceSeconds >= 0 else { throw ValidationError("--tolerance-seconds must be ≥ 0") }
    }

    func run() async throws {
        if let text = FileManager.default.contents(atPath: rules).map({ String(decoding: $0, as: UTF8.self) }),
           PrometheusRuleFile.isYAML(path: rules, text: text) {
            try runPrometheusRules(text)
            return
        }
        let ruleSet = try Self.loadRules(rules)
        let scan = try RangeScan(path: dataOptions.data, from: from, to: to)
        let events = try Self.loggedEvents(scan, quiet: quiet)
        let report = RuleEngine.backtest(rules: ruleSet, events: events, figures: ProjectionSet(), toleranceSeconds: toleranceSeconds)
        let text = format == .json ? try AnalysisReport.stableJSON(BacktestJSON(report)) : BacktestText.text(report)
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func loadRules(_ path: String) throws -> RuleSet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CommandFailure("cannot read the rule file \(path)")
        }
        guard data.count <= ruleFileBytesMax else {
            throw CommandFailure("the rule file \(path) is \(data.count) bytes, over the \(ruleFileBytesMax)-byte limit")
        }
        do { return try RuleSet(json: String(decoding: data, as: UTF8.self)) } catch {
            throw CommandFailure("rule file \(path): \(error)")
        }
    }

    /// The range's events with their offsets, read first: the back-test needs a sequence.
    static func loggedEvents(_ scan: RangeScan, quiet: Bool) throws -> [LoggedEvent] {
        var events: [LoggedEvent] = []
        try scan.forEachBatch(progress: "backtest", quiet: quiet) { batch, base in
            var offset = base
            for event in batch {
                events.append(LoggedEvent(offset: offset, event: event))
                offset += 1
            }
            return true
        }
        return events
    }
}
