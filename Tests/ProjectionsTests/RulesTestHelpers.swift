import EventStore
import Foundation
@testable import Projections

/// A figure source the test sets by hand.
struct StubFigures: FigureSource {
    var values: [Figure: Double] = [:]
    func figure(_ figure: Figure) -> Double? { values[figure] }
}

/// A figure source that is also a projection: a `metric` event named `figure` with a
/// label `name` = a `Figure` raw value sets that figure. Lets back-tests fold figures
/// alongside the engine exactly as the real projection set will.
struct ScriptedFigures: FigureSource, Projection {
    struct Entry: Codable, Sendable, Equatable {
        var figure: Figure
        var value: Double
    }

    var entries: [Entry] = []

    init() {}

    mutating func apply(_ event: Event, offset: UInt64) {
        guard case .metric(let sample) = event.body, sample.series.name == "figure",
              let name = sample.series.labels["name"], let figure = Figure(rawValue: name) else { return }
        if let index = entries.firstIndex(where: { $0.figure == figure }) {
            entries[index].value = sample.value
        } else {
            entries.append(Entry(figure: figure, value: sample.value))
            entries.sort { $0.figure.rawValue < $1.figure.rawValue }
        }
    }

    func figure(_ figure: Figure) -> Double? { entries.first { $0.figure == figure }?.value }
}

enum RulesFixture {
    static let startNs: Int64 = 1_700_000_000_000_000_000

    static func ns(_ seconds: Double) -> Int64 { startNs + Int64(seconds * 1_000_000_000) }

    static func tick(at seconds: Double) -> Event {
        Event(timeNs: ns(seconds), body: .annotation(Annotation(text: "tick", tags: [])))
    }

    static func metric(_ name: String, _ labels: [String: String] = [:], _ value: Double, at seconds: Double) -> Event {
        Event(timeNs: ns(seconds), body: .metric(MetricSample(name: name, labels: labels, value: value)))
    }

    static func figure(_ figure: Figure, _ value: Double, at seconds: Double) -> Event {
        metric("figure", ["name": figure.rawValue], value, at: seconds)
    }

    static func breaker(_ connection: String, _ from: BreakerState, _ to: BreakerState, failures: Int64 = 5, at seconds: Double) -> Event {
        Event(timeNs: ns(seconds), body: .breaker(BreakerTransition(connection: connection, from: from, to: to, failures: failures)))
    }

    static func rules(_ rules: AlertRule...) -> RuleSet {
        do { return try RuleSet(rules) } catch { fatalError("test rules invalid: \(error)") }
    }

    static func p99Rule(forSeconds: Int64 = 30, cooldownSeconds: Int64 = 0, resolveAfterSeconds: Int64 = 0) -> AlertRule {
        AlertRule(id: "p99", name: "High p99", severity: .warning,
                  condition: .figure(name: .latencyP99Ms, comparison: Comparison(.above, 150)),
                  forSeconds: forSeconds, cooldownSeconds: cooldownSeconds, resolveAfterSeconds: resolveAfterSeconds)
    }

    static func encoded(_ engine: RuleEngine) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        do { return try encoder.encode(engine) } catch { fatalError("engine state did not encode: \(error)") }
    }
}

/// Drives an engine with a stub figure source, one event per call, at dense offsets.
struct EngineDriver {
    var engine: RuleEngine
    var figures = StubFigures()
    var nextOffset: UInt64 = 0
    var emitted: [Event] = []

    init(_ rules: RuleSet) {
        engine = RuleEngine(rules: rules)
    }

    /// Sets `figure` and feeds a tick at `seconds`; returns what that event emitted.
    @discardableResult
    mutating func figure(_ figure: Figure, _ value: Double?, at seconds: Double) -> [Event] {
        figures.values[figure] = value
        return feed(RulesFixture.tick(at: seconds))
    }

    @discardableResult
    mutating func feed(_ event: Event) -> [Event] {
        let out = engine.process(event, offset: nextOffset, figures: figures)
        nextOffset += 1
        emitted += out
        return out
    }

    var alerts: [AlertRaised] {
        emitted.compactMap { if case .alert(let alert) = $0.body { alert } else { nil } }
    }

    var resolutions: [(id: String, timeNs: Int64)] {
        emitted.compactMap { if case .alertResolve(let resolve) = $0.body { (resolve.id, $0.timeNs) } else { nil } }
    }
}

/// SplitMix64: a seeded generator, so a failing random stream can be replayed from its seed.
struct RulesSeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum RulesRandomStream {
    /// Figures, metric samples over a few series, breaker transitions and the odd late
    /// event, at irregular sub-second steps.
    static func events(count: Int, seed: UInt64) -> [LoggedEvent] {
        var random = RulesSeededGenerator(seed: seed)
        var seconds = 0.0
        var breakers: [String: BreakerState] = [:]
        var events: [Event] = []
        for _ in 0..<count {
            seconds += Double(Int.random(in: 0...9, using: &random)) / 10
            let at = Int.random(in: 0..<20, using: &random) == 0 ? max(0, seconds - 3) : seconds
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                events.append(RulesFixture.figure(.latencyP99Ms, Double(Int.random(in: 100...200, using: &random)), at: at))
            case 4..<8:
                let core = String(Int.random(in: 0..<3, using: &random))
                events.append(RulesFixture.metric("cpu_percent", ["core": core], Double(Int.random(in: 80...100, using: &random)), at: at))
            default:
                let connection = ["a", "b"][Int.random(in: 0..<2, using: &random)]
                let from = breakers[connection] ?? .closed
                let to = BreakerState.allCases.filter { $0 != from }.randomElement(using: &random)!
                breakers[connection] = to
                events.append(RulesFixture.breaker(connection, from, to, at: at))
            }
        }
        return events.enumerated().map { LoggedEvent(offset: UInt64($0.offset), event: $0.element) }
    }

    static let rules = RulesFixture.rules(
        RulesFixture.p99Rule(forSeconds: 5, cooldownSeconds: 7, resolveAfterSeconds: 2),
        AlertRule(id: "core", name: "Core hot", severity: .warning,
                  condition: .metric(selector: MetricSelector(name: "cpu_percent"), comparison: Comparison(.above, 90)),
                  forSeconds: 3, cooldownSeconds: 4, resolveAfterSeconds: 1),
        AlertRule(id: "open", name: "Open", severity: .critical, condition: .breaker(entering: .open), forSeconds: 1),
        AlertRule(id: "half", name: "Half", severity: .warning, condition: .breaker(entering: .halfOpen), cooldownSeconds: 10)
    )
}
