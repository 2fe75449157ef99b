import EventStore
import Logging
import Projections

/// Records the demo workload into a data directory as fast as the log takes it,
/// through the same engine as `tacho serve --demo`: the projections and the alert
/// rules follow the log while it is written, so the recording holds the alerts a live
/// server raises and replays exactly what the live dashboard showed. Retention never
/// runs while it records.
public struct DemoRecorder: Sendable {
    public struct Recording: Sendable, Equatable {
        public var workloadEvents: UInt64
        /// Alert and resolve events the rule engine appended beside the workload's.
        public var ruleEvents: UInt64
        public var firstOffset: UInt64?
        public var lastOffset: UInt64?
    }

    public let dataDirectory: String
    public let seed: UInt64
    public let startNs: Int64
    public let seconds: Int
    /// How long one wait for the fold (behind by `foldLagEventsMax`, or at the end for
    /// the rules to append what the last seconds raised) may take.
    public static let settleTimeout = Duration.seconds(120)
    /// Events the fold may be behind the log before recording waits for it: the log
    /// takes events faster than the views fold them (and write their snapshots), and a
    /// day's recording would otherwise end hours of events ahead of its own alerts.
    public static let foldLagEventsMax: UInt64 = 250_000

    public init(dataDirectory: String, seed: UInt64, startNs: Int64, seconds: Int) {
        precondition(seconds > 0, "a recording has at least one second")
        self.dataDirectory = dataDirectory
        self.seed = seed
        self.startNs = startNs
        self.seconds = seconds
    }

    /// Records every second; `progress` gets the workload events appended so far.
    public func record(
        logger: Logger = Logger(label: "tacho.demo"), progress: (UInt64) -> Void = { _ in }
    ) async throws -> Recording {
        var logOptions = LogOptions()
        logOptions.retentionAgeNs = nil
        let engine = try await Engine.open(dataDirectory: dataDirectory, logOptions: logOptions, logger: logger)
        let startOffset = engine.log.highWaterMark
        let running = Task { try await engine.run() }
        var workload = DemoWorkload(seed: seed, startTimeNs: startNs)
        var appended: UInt64 = 0
        var firstOffset: UInt64?
        do {
            for _ in 0..<seconds {
                let events = workload.nextSecond()
                let offsets = try await engine.append(events)
                firstOffset = firstOffset ?? offsets.lowerBound
                appended += UInt64(events.count)
                progress(appended)
                let end = engine.log.highWaterMark
                let folded = engine.host.snapshot().nextOffset
                if end > folded, end - folded > Self.foldLagEventsMax {
                    let target = end - Self.foldLagEventsMax / 2
                    guard await engine.waitForViews(coveringBelow: target, timeout: Self.settleTimeout) else {
                        throw DemoRecordingError(detail: "the views did not reach offset \(target) within \(Self.settleTimeout)")
                    }
                }
            }
            guard await engine.waitUntilIdle(timeout: Self.settleTimeout) else {
                throw DemoRecordingError(detail: "the views and rules did not catch up with the log within \(Self.settleTimeout)")
            }
        } catch {
            running.cancel()
            _ = try? await running.value
            throw error
        }
        let endOffset = engine.log.highWaterMark
        running.cancel()
        try await running.value
        let total = endOffset - startOffset
        return Recording(
            workloadEvents: appended, ruleEvents: total - appended, firstOffset: firstOffset,
            lastOffset: total > 0 ? endOffset - 1 : nil)
    }
}

public struct DemoRecordingError: Error, Sendable, CustomStringConvertible {
    public let detail: String
    public var description: String { "demo recording failed: \(detail)" }
}
