import ArgumentParser
import EventStore
import Foundation
import Projections

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
        var pacer = ReplayPacer(speed: speed)
        var output = ReplayOutput()
        var set = ProjectionSet()
        var viewSecond: Int64?
        let encoder = EventJSONEncoder()
        try scan.forEachBatch(progress: "replay", quiet: quiet || !isatty(STDOUT_FILENO).boolValue) { events, base in
            var offset = base
            for event in events {
                if let wait = pacer.waitNs(forEventNs: event.timeNs) {
                    output.flush()
                    Thread.sleep(forTimeInterval: Double(wait) / 1e9)
                }
                if views {
                    let second = event.timeNs.floorSecond
                    if let current = viewSecond, second > current {
                        try output.append(ReplayViews(set, second: current))
                    }
                    viewSecond = max(viewSecond ?? second, second)
                    set.apply(event, offset: offset)
                } else {
                    encoder.write(event, offset: offset, to: &output.buffer)
                    output.buffer.newline()
                    output.flushIfFull()
                }
                offset += 1
            }
            return true
        }
        if views, let current = viewSecond { try output.append(ReplayViews(set, second: current)) }
        output.flush()
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
