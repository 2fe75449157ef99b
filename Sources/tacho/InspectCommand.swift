import ArgumentParser
import EventStore
import Foundation

/// Segments, batches, events, raw and stored bytes, and compression of a data directory.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show the log's segments, batches, events, sizes and compression.")

    @OptionGroup var dataOptions: DataOptions

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() async throws {
        let log = try LogAccess.openReadOnly(dataOptions.data)
        let segments = log.segments()
        if json {
            print(Self.json(segments, directory: dataOptions.data))
        } else {
            print(InspectTable.render(segments))
        }
    }

    static func ratio(raw: UInt64, stored: UInt64) -> Double { stored == 0 ? 0 : Double(raw) / Double(stored) }
    static func perEvent(_ bytes: UInt64, _ events: UInt64) -> Double { events == 0 ? 0 : Double(bytes) / Double(events) }

    static func json(_ segments: [SegmentInfo], directory: String) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("directory", directory)
        w.key("segments")
        w.beginArray()
        var batches: UInt64 = 0, events: UInt64 = 0, raw: UInt64 = 0, stored: UInt64 = 0
        for s in segments {
            w.beginObject()
            w.member("baseOffset", s.baseOffset)
            w.member("endOffset", s.endOffset)
            w.member("file", s.path)
            w.member("sealed", s.sealed)
            w.member("batches", s.batchCount)
            w.member("events", s.eventCount)
            w.member("rawBytes", s.rawBytes)
            w.member("storedBytes", s.storedBytes)
            w.member("bytesPerEvent", perEvent(s.storedBytes, s.eventCount))
            w.member("compressionRatio", ratio(raw: s.rawBytes, stored: s.storedBytes))
            if let t = s.minTimeNs { w.member("minTimeNs", t) }
            if let t = s.maxTimeNs { w.member("maxTimeNs", t) }
            w.endObject()
            batches += s.batchCount
            events += s.eventCount
            raw += s.rawBytes
            stored += s.storedBytes
        }
        w.endArray()
        w.key("total")
        w.beginObject()
        w.member("segments", UInt64(segments.count))
        w.member("batches", batches)
        w.member("events", events)
        w.member("rawBytes", raw)
        w.member("storedBytes", stored)
        w.member("bytesPerEvent", perEvent(stored, events))
        w.member("compressionRatio", ratio(raw: raw, stored: stored))
        w.endObject()
        w.endObject()
        return w.string
    }
}
