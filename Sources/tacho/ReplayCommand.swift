import ArgumentParser
import EventStore
import Foundation
import Projections
import Runtime

/// Replays a recorded range paced by event time: the events as NDJSON, or the views
/// once per event-time second.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a range of a recorded log to stdout, or serve it to the dashboard, paced by event time.",
        discussion: """
            The data directory is opened read-only and never modified, even while a server writes to it. \
            Without --views every event is printed as NDJSON (the export format, with its offset); with \
            --views, one JSON line per event-time second holds the main views after that second. With \
            --serve, the dashboard and the read API answer as of a replay cursor that moves at --speed; \
            GET/POST /api/v1/replay reads and controls it (play, pause, step, seek).
            """)

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "First event time (RFC 3339 or ns); default: the oldest retained.")
    var from: TimeArgument?

    @Option(help: "Events strictly before this time (RFC 3339 or ns); default: the end.")
    var to: TimeArgument?

    @Option(help: "Event seconds per wall second (e.g. 1, 10, 0.5), or max for no pacing.")
    var speed: ReplaySpeed = .factor(1)

    @Flag(help: "Print the views once per event-time second instead of the events.")
    var views = false

    @Flag(help: "No progress line.")
    var quiet = false

    @OptionGroup var serveOptions: ReplayServeOptions

    func run() async throws {
        if serveOptions.serve {
            guard !views else { throw ValidationError("--views prints to stdout; it cannot be combined with --serve") }
            try await serveOptions.run(data: dataOptions.data, from: from, to: to, speed: speed)
            return
        }
        let scan = try RangeScan(path: dataOptions.data, from: from, to: to)
        let showProgress = !(quiet || !isatty(STDOUT_FILENO).boolValue)
        if views {
            try printViews(scan, progress: showProgress)
            return
        }
        var pacer = ReplayPacer(speed: speed)
        var output = ReplayOutput()
        let encoder = EventJSONEncoder()
        try scan.forEachBatch(progress: "replay", quiet: !showProgress) { events, base in
            var offset = base
            for event in events {
                if let wait = pacer.waitNs(forEventNs: event.timeNs) {
                    output.flush()
                    Thread.sleep(forTimeInterval: Double(wait) / 1e9)
                }
                encoder.write(event, offset: offset, to: &output.buffer)
                output.buffer.newline()
                output.flushIfFull()
                offset += 1
            }
            return true
        }
        output.flush()
    }

    /// One line per event-time second holding events: the views at that second's end,
    /// as `?at=` answers them (every event of the range stamped at or before it, wherever
    /// it sits in the log): `EventTimeSweep`, a first pass noting the late events, a
    /// second folding and printing, paced by the seconds printed.
    private func printViews(_ scan: RangeScan, progress: Bool) throws {
        var index = StepIndex(stepNs: EventTime.nanosPerSecond)
        try scan.forEachBatch(progress: "replay (index)", quiet: !progress) { events, base in
            for (position, event) in events.enumerated() { index.add(timeNs: event.timeNs, offset: base + UInt64(position)) }
            return true
        }
        index.finish()
        let lateReader = LateEventReader(log: try scan.open())
        var sweep = EventTimeSweep<ProjectionSet>(index: index) { offset in try lateReader.event(at: offset) }
        var pacer = ReplayPacer(speed: speed)
        var output = ReplayOutput()
        let emit = { (second: Int64, set: ProjectionSet) throws in
            if let wait = pacer.waitNs(forEventNs: second * EventTime.nanosPerSecond) {
                output.flush()
                Thread.sleep(forTimeInterval: Double(wait) / 1e9)
            }
            try output.append(ReplayViews(set, second: second))
        }
        try scan.forEachBatch(progress: "replay", quiet: !progress) { events, base in
            for (position, event) in events.enumerated() { try sweep.add(event, offset: base + UInt64(position), emit: emit) }
            return true
        }
        try sweep.finish(emit: emit)
        output.flush()
    }
}

/// Reads single events back by offset for the sweep (late events are few; the batch
/// read last is kept, as late events often share one).
final class LateEventReader {
    private let log: ReadOnlyEventLog
    private var batch: LogBatch?

    init(log: ReadOnlyEventLog) {
        self.log = log
    }

    func event(at offset: UInt64) throws -> Event {
        if let batch, offset >= batch.baseOffset, offset < batch.baseOffset + UInt64(batch.events.count) {
            return batch.events[Int(offset - batch.baseOffset)]
        }
        guard let read = try LogAccess.next(log.reader(from: offset)),
              offset >= read.baseOffset, offset < read.baseOffset + UInt64(read.events.count)
        else { throw CommandFailure("offset \(offset) vanished from the log while replaying (retention of a running server?)") }
        batch = read
        return read.events[Int(offset - read.baseOffset)]
    }
}

private extension Int32 {
    var boolValue: Bool { self == 1 }
}

extension Int64 {
    /// The start of this event time's second, in seconds (floor, also before 1970).
    var floorSecond: Int64 {
        let (quotient, remainder) = quotientAndRemainder(dividingBy: EventTime.nanosPerSecond)
        return remainder < 0 ? quotient - 1 : quotient
    }
}
