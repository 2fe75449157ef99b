import EventStore
import Foundation
import Testing

/// The log opened read-only for replay and analysis, beside a live writer.
@Suite struct AnalysisReadOnlyLogTests {
    static func events(_ count: Int, from start: Int) -> [Event] {
        (start..<start + count).map { i in
            Event(timeNs: 1_700_000_000_000_000_000 + Int64(i) * 1_000_000, body: .op(Operation(name: "op\(i % 3)", durationMs: Double(i % 50), ok: true)))
        }
    }

    static var options: LogOptions {
        var options = LogOptions()
        options.fsync = .never
        return options
    }

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "tacho-readonly-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every file under `path` with its bytes.
    static func contents(_ path: String) -> [String: Data] {
        var files: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)!
        while let name = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory)
            if !isDirectory.boolValue { files[name] = FileManager.default.contents(atPath: path + "/" + name) }
        }
        return files
    }

    static func readAll(_ log: ReadOnlyEventLog) throws -> [Event] {
        guard log.highWaterMark > 0 else { return [] }
        let reader = log.reader(from: 0)
        var all: [Event] = []
        while let batch = try reader.next() { all.append(contentsOf: batch.events) }
        return all
    }

    @Test func openReadOnly_whileAWriterAppends_readsAnAcknowledgedPrefix_andChangesNoByte() async throws {
        let path = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try EventLog.open(directory: path, options: Self.options)
        let first = Self.events(500, from: 0)
        for chunk in stride(from: 0, to: first.count, by: 100) { _ = try await writer.append(Array(first[chunk..<chunk + 100])) }
        let before = Self.contents(path)
        let reading = try ReadOnlyEventLog.open(directory: path)
        let read = try Self.readAll(reading)
        #expect(read == first)
        #expect(Self.contents(path) == before)

        // Appends running while a second read-only snapshot is taken and read.
        let more = Self.events(2_000, from: 500)
        let appending = Task {
            for chunk in stride(from: 0, to: more.count, by: 50) { _ = try await writer.append(Array(more[chunk..<chunk + 50])) }
        }
        let concurrent = try Self.readAll(try ReadOnlyEventLog.open(directory: path))
        try await appending.value
        #expect(concurrent.count >= first.count)
        #expect(concurrent == Array((first + more).prefix(concurrent.count)))
        try await writer.close()
    }

    @Test func openReadOnly_withATornTail_readsTheIntactBatches_andLeavesTheTailInPlace() async throws {
        let path = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let writer = try EventLog.open(directory: path, options: Self.options)
        let written = Self.events(300, from: 0)
        _ = try await writer.append(written)
        try await writer.close()
        let segment = try #require(FileManager.default.contentsOfDirectory(atPath: path + "/log").first { $0.hasSuffix(".seg") })
        let handle = try #require(FileHandle(forWritingAtPath: path + "/log/" + segment))
        handle.seekToEndOfFile()
        handle.write(Data([0x54, 0x42, 0x01, 0x02, 0x03])) // the start of a batch still being written
        try handle.close()
        let before = Self.contents(path)
        let log = try ReadOnlyEventLog.open(directory: path)
        #expect(try Self.readAll(log) == written)
        #expect(Self.contents(path) == before)
    }

    @Test func openReadOnly_ofADirectoryWithoutMeta_failsAndCreatesNothing() throws {
        let path = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: LogError.self) { try ReadOnlyEventLog.open(directory: path) }
        #expect(Self.contents(path).isEmpty)
        #expect((try? FileManager.default.contentsOfDirectory(atPath: path))?.isEmpty == true)
    }
}
