import ArgumentParser
import EventStore
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
        let log: EventLog
        // A recording keeps every event it records: retention never runs while it writes.
        var logOptions = LogOptions()
        logOptions.retentionAgeNs = nil
        do { log = try EventLog.open(directory: dataOptions.data, options: logOptions) } catch {
            throw CommandFailure("cannot open data directory \(dataOptions.data): \(error)")
        }
        var workload = DemoWorkload(seed: seed, startTimeNs: startNs)
        var progress = Progress("demo", quiet: quiet)
        var appended: UInt64 = 0
        var firstOffset: UInt64?
        var lastOffset: UInt64 = 0
        do {
            for _ in 0..<seconds {
                let events = workload.nextSecond()
                let offsets = try await log.append(events)
                firstOffset = firstOffset ?? offsets.lowerBound
                lastOffset = offsets.upperBound
                appended += UInt64(events.count)
                progress.update(done: appended)
            }
        } catch {
            try? await log.close()
            throw CommandFailure("demo stopped after \(workload.second - 1) of \(seconds) seconds (\(appended) events appended): \(error)")
        }
        do { try await log.close() } catch {
            throw CommandFailure("closing the log of \(dataOptions.data) failed: \(error)")
        }
        progress.finish(done: appended)
        print("recorded \(seconds) s of demo (seed \(seed), start \(EventTime.formatRFC3339(startNs))): \(appended) events at offsets \(firstOffset ?? 0)...\(lastOffset) in \(dataOptions.data)")
    }
}
