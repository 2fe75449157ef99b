import ArgumentParser
import EventStore
import Logging
import Server

/// Records a session of the demo workload into a data directory, offline and as fast
/// as the log takes it: the same seed and start give the same events.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Record a simulated session (the --demo workload) into a data directory.",
        discussion: """
            The simulation is seeded and deterministic: the same --seed and --start give \
            the same events. Host vitals are simulated too, as no collector runs.
            """)

    static let secondsMax = 30 * 24 * 3600

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Seconds of event time to simulate (1...\(secondsMax)).")
    var seconds: Int = 600

    @Option(help: "Seed of the simulation.")
    var seed: UInt64 = 1

    @Option(help: "Event time of the first second: RFC 3339 or nanoseconds since the epoch (default: now, whole seconds).")
    var start: String?

    @Flag(help: "No progress line.")
    var quiet = false

    func validate() throws {
        guard (1...Self.secondsMax).contains(seconds) else {
            throw ValidationError("--seconds \(seconds) is not within 1...\(Self.secondsMax)")
        }
        if let start, EventTime.parse(start) == nil {
            throw ValidationError("--start '\(start)' is neither RFC 3339 nor integer nanoseconds")
        }
    }

    func run() async throws {
        let startNs = start.flatMap(EventTime.parse) ?? EventTime.nowNs() / EventTime.nanosPerSecond * EventTime.nanosPerSecond
        let recorder = DemoRecorder(dataDirectory: dataOptions.data, seed: seed, startNs: startNs, seconds: seconds)
        var progress = Progress("demo", quiet: quiet)
        let recording: DemoRecorder.Recording
        do {
            var logger = Logger(label: "tacho.demo")
            logger.logLevel = .warning
            recording = try await recorder.record(logger: logger) { progress.update(done: $0) }
        } catch {
            throw CommandFailure("demo of \(seconds) s into \(dataOptions.data) stopped: \(error)")
        }
        progress.finish(done: recording.workloadEvents)
        print("recorded \(seconds) s of demo (seed \(seed), start \(EventTime.formatRFC3339(startNs))): \(recording.workloadEvents) events "
            + "and \(recording.ruleEvents) alert events raised by the rules, at offsets \(recording.firstOffset ?? 0)...\(recording.lastOffset ?? 0) in \(dataOptions.data)")
    }
}
