import Foundation
import Testing

/// The command line over a real data directory: import refuses bad input whole,
/// export and import round-trip byte for byte, verify finds a flipped bit.
@Suite struct TachoCommandTests {

    @Test func import_withOneBadLine_appendsNothing_andNamesTheLineAndField() async throws {
        let directory = try TemporaryDirectory("cli-import")
        defer { directory.remove() }
        let first = try await TachoCommand.run(["import", "--data", directory.path, "--quiet", "-"], stdin: KnownStream.ndjson)
        #expect(first.status == 0, "stderr: \(first.stderr)")
        var lines = KnownStream.ndjson.split(separator: "\n").map(String.init)
        lines[6] = #"{"type":"op","ts":1,"name":"x","durationMs":"slow","ok":true}"#
        let refused = try await TachoCommand.run(["import", "--data", directory.path, "--quiet", "-"], stdin: lines.joined(separator: "\n"))
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("line 7"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("durationMs"), "stderr: \(refused.stderr)")
        let inspected = try await TachoCommand.run(["inspect", "--data", directory.path, "--json"])
        let events = try Self.eventCount(inspectJSON: inspected.stdout)
        #expect(events == KnownStream.eventCount, "the refused import appended \(events - KnownStream.eventCount) of its events")
    }

    @Test func export_import_export_isByteIdentical() async throws {
        let first = try TemporaryDirectory("cli-first")
        let second = try TemporaryDirectory("cli-second")
        defer { first.remove(); second.remove() }
        let imported = try await TachoCommand.run(["import", "--data", first.path, "--quiet", "-"], stdin: KnownStream.ndjson)
        #expect(imported.status == 0, "stderr: \(imported.stderr)")
        let exported = try await TachoCommand.run(["export", "--data", first.path, "--quiet"])
        #expect(exported.status == 0)
        #expect(exported.stdout.split(separator: "\n").count == KnownStream.eventCount)
        let reimported = try await TachoCommand.run(["import", "--data", second.path, "--quiet", "-"], stdin: exported.stdout)
        #expect(reimported.status == 0, "stderr: \(reimported.stderr)")
        let again = try await TachoCommand.run(["export", "--data", second.path, "--quiet"])
        #expect(again.stdout == exported.stdout)
    }

    @Test func verify_afterAFlippedBit_exitsOne_andReportsTheDamagedBatch() async throws {
        let directory = try TemporaryDirectory("cli-verify")
        defer { directory.remove() }
        _ = try await TachoCommand.run(["import", "--data", directory.path, "--quiet", "-"], stdin: KnownStream.ndjson)
        let intact = try await TachoCommand.run(["verify", "--data", directory.path])
        #expect(intact.status == 0, "stdout: \(intact.stdout) stderr: \(intact.stderr)")

        let logDirectory = directory.path + "/log"
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: logDirectory).first { $0.hasSuffix(".seg") })
        let path = logDirectory + "/" + segment
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 20] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let damaged = try await TachoCommand.run(["verify", "--data", directory.path])
        #expect(damaged.status == 1)
        #expect(damaged.stdout.contains("damaged:") && damaged.stdout.contains(segment), "the report names the segment: \(damaged.stdout)")
        // Verifying is read-only: the damaged batch is still there, byte for byte.
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
        _ = try await TachoCommand.run(["export", "--data", directory.path, "--quiet"])
        _ = try await TachoCommand.run(["inspect", "--data", directory.path])
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == bytes, "export and inspect are read-only too")
    }

    @Test func verify_onATornTail_reportsIt_asNotDamage_andCutsNothing() async throws {
        let directory = try TemporaryDirectory("cli-torn")
        defer { directory.remove() }
        _ = try await TachoCommand.run(["import", "--data", directory.path, "--quiet", "-"], stdin: KnownStream.ndjson)
        let logDirectory = directory.path + "/log"
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: logDirectory).first { $0.hasSuffix(".seg") })
        let path = logDirectory + "/" + segment
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        try Data(bytes.dropLast(7)).write(to: URL(fileURLWithPath: path))

        let verified = try await TachoCommand.run(["verify", "--data", directory.path])
        #expect(verified.status == 0, "stdout: \(verified.stdout)")
        #expect(verified.stdout.contains("incomplete last batch"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == bytes.count - 7, "verify cut nothing")
    }

    static func eventCount(inspectJSON text: String) throws -> Int {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        if let total = object?["events"] as? Int { return total }
        if let total = (object?["total"] as? [String: Any])?["events"] as? Int { return total }
        throw JSONShapeError(text: text)
    }
}
