import ArgumentParser
import EventStore
import Foundation

/// Writes events as NDJSON that `tacho import` reads back to the same events.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a range of the log to stdout as NDJSON.")

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "First event time (RFC 3339 or ns); default: the oldest retained.")
    var from: TimeArgument?

    @Option(help: "Events strictly before this time (RFC 3339 or ns); default: the end.")
    var to: TimeArgument?

    @Option(name: .customLong("type"), help: "Only events of these types (repeatable): metric, op, breaker, ...")
    var types: [String] = []

    @Flag(help: "Add each event's log offset as \"offset\" (import ignores it).")
    var offsets = false

    @Flag(help: "No progress line.")
    var quiet = false

    func run() async throws {
        var wanted = Set<EventType>()
        for name in types {
            guard let type = EventType(name: name) else {
                throw CommandFailure("unknown event type '\(name)' (known: \(EventType.allCases.map(\.name).joined(separator: ", ")))")
            }
            wanted.insert(type)
        }
        let log = try LogAccess.openReadOnly(dataOptions.data)
        let reader = from.map { log.reader(fromTimeNs: $0.nanos) } ?? log.reader(from: 0)
        let encoder = EventJSONEncoder()
        let out = FileHandle.standardOutput
        var buffer = JSONWriter(reservingCapacity: 1 << 20)
        var exported: UInt64 = 0
        var progress = Progress("export", quiet: quiet)
        while let batch = try LogAccess.next(reader) {
            for (i, event) in batch.events.enumerated() {
                if let from, event.timeNs < from.nanos { continue }
                if let to, event.timeNs >= to.nanos { continue }
                if !wanted.isEmpty, !wanted.contains(event.type) { continue }
                encoder.write(event, offset: offsets ? batch.baseOffset + UInt64(i) : nil, to: &buffer)
                buffer.newline()
                exported += 1
            }
            if buffer.bytes.count > 1 << 20 {
                out.write(Data(buffer.bytes))
                buffer.bytes.removeAll(keepingCapacity: true)
            }
            progress.update(done: exported)
        }
        out.write(Data(buffer.bytes))
        progress.finish(done: exported)
    }
}

/// Opening and reading the log from a command, with failures as one-line errors.
enum LogAccess {
    /// For commands that only read (export, inspect, verify): nothing in the directory
    /// is created, repaired or cut, so they are safe beside a running server and on
    /// evidence kept after an incident.
    static func openReadOnly(_ path: String) throws -> ReadOnlyEventLog {
        guard FileManager.default.fileExists(atPath: path) else {
            throw CommandFailure("no data directory at \(path) (use --data DIR)")
        }
        do { return try ReadOnlyEventLog.open(directory: path) } catch {
            throw CommandFailure("cannot open data directory \(path): \(error)")
        }
    }

    /// The next batch; damage stops the command with its position.
    static func next(_ reader: LogReader) throws -> LogBatch? {
        do { return try reader.next() } catch {
            throw CommandFailure("\(error) (run `tacho verify` for every damaged batch)")
        }
    }
}
