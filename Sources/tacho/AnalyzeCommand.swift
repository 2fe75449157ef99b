import ArgumentParser
import EventStore
import Foundation
import Projections

/// The offline report of a recorded range, alone or beside a baseline.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Summarise a range of a recorded log: throughput, latency, errors, breakers, alerts, cache, optimizer, health.",
        discussion: """
            The data directory is opened read-only and never modified, even while a server writes to it. \
            --baseline DIR compares with another directory; --baseline-from/--baseline-to with another \
            range (of the baseline directory, or of --data when no --baseline is given).
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv }

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "First event time (RFC 3339 or ns); default: the oldest retained.")
    var from: TimeArgument?

    @Option(help: "Events strictly before this time (RFC 3339 or ns); default: the end.")
    var to: TimeArgument?

    @Option(help: "Output format: text, json (sorted keys, stable) or csv (the figure table).")
    var format: Format = .text

    @Option(help: "A data directory to compare with.")
    var baseline: String?

    @Option(name: .customLong("baseline-from"), help: "Start of the baseline range.")
    var baselineFrom: TimeArgument?

    @Option(name: .customLong("baseline-to"), help: "End of the baseline range (exclusive).")
    var baselineTo: TimeArgument?

    @Flag(help: "No progress line.")
    var quiet = false

    var comparing: Bool { baseline != nil || baselineFrom != nil || baselineTo != nil }

    func run() async throws {
        let current = try Self.analyze(RangeScan(path: dataOptions.data, from: from, to: to), quiet: quiet)
        guard comparing else {
            let text: String
            switch format {
            case .json: text = try Self.json(current)
            case .csv: text = AnalysisText.csv(current)
            case .text: text = AnalysisText.text(current)
            }
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let base = try Self.analyze(
            RangeScan(path: baseline ?? dataOptions.data, from: baselineFrom, to: baselineTo), quiet: quiet)
        let comparison = AnalysisComparison(current: current, baseline: base)
        let text: String
        switch format {
        case .json: text = try Self.json(ComparedReports(current: current, baseline: base, comparison: comparison))
        case .csv: text = AnalysisText.csv(comparison)
        case .text: text = AnalysisText.text(current) + "\n" + AnalysisText.text(comparison)
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    static func analyze(_ scan: RangeScan, quiet: Bool) throws -> AnalysisReport {
        var analyzer = Analyzer()
        try scan.forEachBatch(progress: "analyze", quiet: quiet) { events, base in
            var offset = base
            for event in events {
                analyzer.add(event, offset: offset)
                offset += 1
            }
            return true
        }
        return analyzer.report()
    }

    /// Sorted keys and a final newline: the form the golden files hold.
    static func json(_ value: some Encodable) throws -> String {
        try AnalysisReport.stableJSON(value)
    }
}

/// `analyze --baseline --format json`: both reports and the comparison.
struct ComparedReports: Encodable {
    let current: AnalysisReport
    let baseline: AnalysisReport
    let comparison: AnalysisComparison
}
