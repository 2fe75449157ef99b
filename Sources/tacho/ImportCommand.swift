import ArgumentParser
import EventStore
import Foundation

/// Appends NDJSON (or a JSON array) of events to a data directory, all or nothing:
/// the whole input is validated before the first event is appended.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Append events from an NDJSON file (or stdin) to the log.",
        discussion: """
            The whole input is validated first; a bad line is reported with its line number \
            and field, and then nothing is appended. Standard input is spooled to a temporary \
            file for the two passes. Events without "ts" are stamped with the import time.
            """)

    @OptionGroup var dataOptions: DataOptions

    @Argument(help: "NDJSON file to import; '-' or absent reads stdin.")
    var file: String?

    @Flag(help: "Validate the whole input without appending.")
    var check = false

    @Flag(help: "No progress line.")
    var quiet = false

    /// Inputs up to this size keep the events their validating pass decoded (about
    /// half the input's size in memory) instead of decoding them a second time.
    static let retainedInputBytesMax = 128 << 20

    func run() async throws {
        let (path, spooled) = try inputPath()
        defer { if spooled { try? FileManager.default.removeItem(atPath: path) } }
        let stampNs = EventTime.nowNs()
        var progress = Progress("validate", quiet: quiet)
        // A small input keeps what the validating pass decoded for the appending one.
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? Int.max
        let retains = !check && size <= Self.retainedInputBytesMax
        var retained: [[Event]] = []
        var validated: UInt64 = 0
        let total = try NDJSONChunks.forEach(path: path) { events, _ in
            validated += UInt64(events.count)
            progress.update(done: validated)
            if retains, !events.isEmpty { retained.append(events) }
        } decode: { bytes, firstLine in
            try Self.decode(bytes, firstLine: firstLine, stampNs: stampNs)
        }
        progress.finish(done: total)
        if check {
            print("checked \(total) events: all valid")
            return
        }
        let log: EventLog
        // A recording keeps every event it records: retention never runs while it writes.
        var logOptions = LogOptions()
        logOptions.retentionAgeNs = nil
        do { log = try EventLog.open(directory: dataOptions.data, options: logOptions) } catch {
            throw CommandFailure("cannot open data directory \(dataOptions.data): \(error)")
        }
        var appended: UInt64 = 0
        var importProgress = Progress("import", quiet: quiet)
        do {
            if retains {
                for events in retained {
                    _ = try await log.append(events)
                    appended += UInt64(events.count)
                    importProgress.update(done: appended, total: total)
                }
            } else {
                _ = try await NDJSONChunks.forEachAsync(path: path) { events in
                    _ = try await log.append(events)
                    appended += UInt64(events.count)
                    importProgress.update(done: appended, total: total)
                } decode: { bytes, firstLine in
                    try Self.decode(bytes, firstLine: firstLine, stampNs: stampNs)
                }
            }
        } catch {
            try? await log.close()
            throw CommandFailure("import stopped after \(appended) of \(total) events: \(error)")
        }
        try await log.close()
        importProgress.finish(done: appended, total: total)
        print("imported \(appended) events into \(dataOptions.data)")
    }

    private static func decode(_ bytes: UnsafeRawBufferPointer, firstLine: Int, stampNs: Int64) throws -> [Event] {
        do {
            return try EventJSONDecoder().decode(bytes, defaultTimeNs: stampNs)
        } catch {
            if case .input = error.location, error.reason == "no events in the input" { return [] }
            guard case .line(let n) = error.location else { throw CommandFailure("nothing appended: \(error)") }
            let shifted = EventInputError(location: .line(n + firstLine - 1), field: error.field, reason: error.reason)
            throw CommandFailure("nothing appended: \(shifted)")
        }
    }

    /// The file to read, spooling stdin to a temporary file (true) when needed.
    private func inputPath() throws -> (String, Bool) {
        if let file, file != "-" {
            guard FileManager.default.isReadableFile(atPath: file) else { throw CommandFailure("cannot read \(file)") }
            return (file, false)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tacho-import-\(getpid()).ndjson").path
        guard FileManager.default.createFile(atPath: path, contents: nil), let out = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("cannot create a temporary file at \(path)")
        }
        defer { try? out.close() }
        while let data = try FileHandle.standardInput.read(upToCount: 4 << 20), !data.isEmpty {
            try out.write(contentsOf: data)
        }
        return (path, true)
    }
}
