import EventStore
import Foundation
import Projections
import Testing

@testable import Server

/// The recorded incident fixtures under fixtures/incidents: each a window of a seeded
/// demo session with the rule engine running alongside (its alerts appended as the
/// live server does), stored as NDJSON beside its golden `analyze --format json`.
/// `tools/regen-fixtures` rewrites them deliberately; these tests only read them.
@Suite struct IncidentFixtureTests {
    struct Scenario: Sendable, CustomStringConvertible {
        let name: String
        let seed: UInt64
        /// The demo seconds kept: `firstSecond..<endSecond`.
        let firstSecond: Int
        let endSecond: Int
        var description: String { name }
    }

    static let scenarios = [
        Scenario(name: "latency-spike", seed: 1, firstSecond: 30, endSecond: 85),
        Scenario(name: "breaker-storm", seed: 1, firstSecond: 85, endSecond: 145),
        Scenario(name: "cache-degradation", seed: 3, firstSecond: 150, endSecond: 270),
    ]
    static let startNs: Int64 = 1_714_572_000_000_000_000 // 2024-05-01T14:00:00Z
    /// One op event in this many is kept, so a minute of demo stays far below 1 MB.
    static let opKeepEvery = 40
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures/incidents").path

    /// The scenario's events as the live server would have logged them.
    static func record(_ scenario: Scenario) -> [Event] {
        var workload = DemoWorkload(seed: scenario.seed, startTimeNs: startNs)
        var set = ProjectionSet()
        var engine = RuleEngine(rules: .defaults)
        var logged: [Event] = []
        var opsSeen = 0
        for second in 0..<scenario.endSecond {
            let generated = workload.nextSecond()
            guard second >= scenario.firstSecond else { continue }
            var emitted: [Event] = []
            for event in generated {
                if case .op = event.body {
                    opsSeen += 1
                    guard opsSeen % opKeepEvery == 0 else { continue }
                }
                let offset = UInt64(logged.count)
                logged.append(event)
                set.apply(event, offset: offset)
                emitted += engine.process(event, offset: offset, figures: set)
            }
            // The host appends the engine's alerts after the batch that caused them.
            for alert in emitted {
                let offset = UInt64(logged.count)
                logged.append(alert)
                set.apply(alert, offset: offset)
                _ = engine.process(alert, offset: offset, figures: set)
            }
        }
        return logged
    }

    static func ndjson(_ events: [Event]) -> String {
        let encoder = EventJSONEncoder()
        var writer = JSONWriter(reservingCapacity: 1 << 20)
        for event in events {
            encoder.write(event, to: &writer)
            writer.newline()
        }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    static func load(_ scenario: Scenario) throws -> [Event] {
        let text = try String(contentsOfFile: directory + "/\(scenario.name).ndjson", encoding: .utf8)
        return try EventJSONDecoder().decode(text, defaultTimeNs: 0)
    }

    static func golden(_ scenario: Scenario) throws -> String {
        try String(contentsOfFile: directory + "/\(scenario.name).analysis.json", encoding: .utf8)
    }

    /// The fixture written into a fresh log, then read back read-only.
    static func throughLog(_ events: [Event]) async throws -> [LoggedEvent] {
        let path = NSTemporaryDirectory() + "tacho-fixture-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = try EventLog.open(directory: path)
        _ = try await log.append(events)
        try await log.close()
        let reading = try ReadOnlyEventLog.open(directory: path)
        let reader = reading.reader(from: 0)
        var read: [LoggedEvent] = []
        while let batch = try reader.next() {
            for (i, event) in batch.events.enumerated() { read.append(LoggedEvent(offset: batch.baseOffset + UInt64(i), event: event)) }
        }
        return read
    }

    static func analyze(_ events: [LoggedEvent]) -> AnalysisReport {
        var analyzer = Analyzer()
        for logged in events { analyzer.add(logged.event, offset: logged.offset) }
        return analyzer.report()
    }

    /// Run by tools/regen-fixtures only: rewrites every fixture and golden file.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["TACHO_REGEN_FIXTURES"] == "1"))
    func regenerate_writesFixturesAndGoldenFiles() async throws {
        try FileManager.default.createDirectory(atPath: Self.directory, withIntermediateDirectories: true)
        for scenario in Self.scenarios {
            let events = Self.record(scenario)
            try Self.ndjson(events).write(toFile: Self.directory + "/\(scenario.name).ndjson", atomically: true, encoding: .utf8)
            let stored = try Self.load(scenario)
            let report = Self.analyze(try await Self.throughLog(stored))
            try report.jsonText().write(toFile: Self.directory + "/\(scenario.name).analysis.json", atomically: true, encoding: .utf8)
        }
    }

    @Test(arguments: scenarios)
    func analyze_ofFixture_equalsItsGoldenJSON(_ scenario: Scenario) async throws {
        let events = try Self.load(scenario)
        let report = Self.analyze(try await Self.throughLog(events))
        #expect(try report.jsonText() == Self.golden(scenario))
    }

    @Test(arguments: scenarios)
    func fixture_isSmall_andShowsItsIncident(_ scenario: Scenario) throws {
        let size = try FileManager.default.attributesOfItem(atPath: Self.directory + "/\(scenario.name).ndjson")[.size] as! Int
        #expect(size < 1_000_000)
        let report = try JSONDecoder().decode(AnalysisReport.self, from: Data(Self.golden(scenario).utf8))
        switch scenario.name {
        case "breaker-storm": #expect(report.breakers.values.contains { $0.opened > 0 })
        case "cache-degradation":
            let lowest = report.cache.perMinute.map(\.value).min() ?? 1
            #expect(report.cache.perMinute.count > 1)
            #expect(lowest < (report.cache.hitRate ?? 0))
        default: #expect(!report.optimizations.isEmpty && report.latency.perMinute.count > 0)
        }
    }

    @Test(arguments: scenarios)
    func replay_ofFixture_foldsTheSameProjectionSetAsDirectly(_ scenario: Scenario) async throws {
        let events = try Self.load(scenario)
        var direct = ProjectionSet()
        for (offset, event) in events.enumerated() { direct.apply(event, offset: UInt64(offset)) }
        var replayed = ProjectionSet()
        for logged in try await Self.throughLog(events) { replayed.apply(logged.event, offset: logged.offset) }
        #expect(replayed == direct)
        #expect(replayed.healthView() == direct.healthView())
    }

    @Test(arguments: scenarios)
    func replay_withDefaultRules_firesTheRecordedAlertsAtTheSameEventTimes(_ scenario: Scenario) async throws {
        let logged = try await Self.throughLog(try Self.load(scenario))
        let report = RuleEngine.backtest(rules: .defaults, events: logged, figures: ProjectionSet())
        #expect(report.fired.map(\.id) == report.recorded.map(\.id))
        #expect(report.fired.map(\.firedAtNs) == report.recorded.map(\.firedAtNs))
        #expect(report.fired.map(\.resolvedAtNs) == report.recorded.map(\.resolvedAtNs))
        #expect(report.diff.onlyBacktest.isEmpty && report.diff.onlyRecorded.isEmpty)
    }
}

extension IncidentFixtureTests {
    @Test func backtest_withBreakerOnlyRules_onBreakerStorm_pagesTheBreaker_andMissesTheOtherRecordedAlerts() async throws {
        let rulesText = try String(contentsOfFile: Self.directory + "/breaker-only-rules.json", encoding: .utf8)
        let rules = try RuleSet(json: rulesText)
        let logged = try await Self.throughLog(try Self.load(Self.scenarios[1]))
        let report = RuleEngine.backtest(rules: rules, events: logged, figures: ProjectionSet())
        #expect(report.fired.map(\.kind) == ["breaker-open-page"])
        #expect(report.fired.first?.connection == "cache-redis")
        #expect(report.diff.onlyBacktest.map(\.kind) == ["breaker-open-page"])
        #expect(Set(report.diff.onlyRecorded.map(\.kind)) == ["breaker-open", "breaker-half-open", "error-rate-high", "throughput-low"])
    }
}
