import Foundation
import Testing
@testable import EventStore
import Projections
@testable import Server
#if canImport(Glibc)
import Glibc
import Runtime
#endif

/// Issue 12's corruption campaign: a directory recorded by the engine (the demo
/// workload; small segments so there are several, sealed ones with their indexes, and
/// three checkpoints) is copied each round and damaged with seeded bit flips and
/// overwritten ranges in its segments, indexes and checkpoints. Then:
///
/// - `tacho verify` (the binary) exits 1 exactly when a segment was hit, never crashes,
///   and names every damaged batch (segment and position; a damaged segment header at
///   position 0);
/// - the read-only readers, skipping damage, return every event of every batch not hit,
///   unchanged;
/// - `tacho serve` starts on it (an older checkpoint or a full replay), answers the
///   views and stops cleanly; after it, still only batches hit are missing;
/// - when no batch was hit, the views it recovered equal those of a full replay.
///
/// `tools/test` runs a short form (`TACHO_CORRUPT_ROUNDS`, default 6);
/// `tools/corrupt-test ROUNDS [SEED]` the long one. The seed is printed with the figures.
@Suite(.serialized) struct CorruptionCampaignTests {
    static var rounds: Int { ProcessInfo.processInfo.environment["TACHO_CORRUPT_ROUNDS"].flatMap(Int.init) ?? 6 }
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TACHO_CORRUPT_SEED"].flatMap(UInt64.init) ?? UInt64(UInt32.random(in: 1...UInt32.max))
    }

    /// One batch frame of a segment, as recorded before any damage.
    struct Frame: Hashable {
        var segment: String
        var position: UInt64
        var length: UInt64
        var baseOffset: UInt64
        var eventCount: UInt64
        var offsets: Range<UInt64> { baseOffset..<(baseOffset + eventCount) }
    }

    /// The frames of every segment of a directory (file name → frames in file order).
    static func frames(ofDirectory path: String) throws -> [String: [Frame]] {
        let logPath = path + "/log"
        var result: [String: [Frame]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: logPath) where name.hasSuffix(".seg") {
            let file = try POSIXFileSystem().open(logPath + "/" + name, create: false, truncate: false)
            defer { file.close() }
            let cursor = SegmentCursor(file: file, path: name, position: UInt64(SegmentHeader.sizeBytes), limitBytes: try file.sizeBytes())
            var frames: [Frame] = []
            while let frame = try cursor.next() {
                frames.append(Frame(
                    segment: name, position: frame.position, length: UInt64(frame.header.totalLength),
                    baseOffset: frame.header.baseOffset, eventCount: UInt64(frame.header.eventCount)))
            }
            result[name] = frames
        }
        return result
    }

    /// Every event readable by a read-only reader that skips damaged batches.
    static func readableEvents(_ path: String) throws -> [UInt64: Event] {
        let log = try ReadOnlyEventLog.open(directory: path)
        let reader = log.reader(from: 0)
        var events: [UInt64: Event] = [:]
        var skips = 0
        while true {
            do {
                guard let batch = try reader.next() else { break }
                for logged in batch.loggedEvents { events[logged.offset] = logged.event }
            } catch {
                guard case .corruption = error else { throw error }
                skips += 1
                #expect(skips < 100_000, "the reader keeps finding damage: it does not move on")
                if skips >= 100_000 { break }
                try reader.skipDamaged()
            }
        }
        return events
    }

    /// Records the demo workload through the engine: segments of 96 KiB (so several
    /// seal, are compacted and get an index) and a checkpoint every 8,000 events.
    static func record(into path: String, seconds: Int) async throws {
        var logOptions = LogOptions()
        logOptions.retentionAgeNs = nil
        logOptions.segmentBytesMax = 96 * 1024
        var hostOptions = HostOptions()
        hostOptions.checkpointEveryEvents = 8_000
        hostOptions.checkpointsKept = 3
        let engine = try await Engine.open(dataDirectory: path, logOptions: logOptions, hostOptions: hostOptions)
        let running = Task { try await engine.run() }
        var workload = DemoWorkload(seed: 7, startTimeNs: EventTime.nowNs() / 1_000_000_000 * 1_000_000_000 - Int64(seconds) * 1_000_000_000)
        do {
            for _ in 0..<seconds { _ = try await engine.append(workload.nextSecond()) }
            #expect(await engine.waitUntilIdle(timeout: .seconds(60)))
        } catch {
            running.cancel()
            _ = try? await running.value
            throw error
        }
        running.cancel()
        try await running.value
    }

    /// One act of damage, as applied.
    struct Damage: CustomStringConvertible {
        enum Kind: String { case bitFlips = "bit flips", overwrite = "overwritten range" }
        var file: String
        var kind: Kind
        /// Byte positions whose content changed.
        var changed: [UInt64]
        var bitsFlipped = 0
        var description: String {
            "\(kind.rawValue) in \(file) at \(changed.min() ?? 0)…\(changed.max() ?? 0) (\(changed.count) bytes changed)"
        }
    }

    /// Damages `relative` (a path under `root`) in place: a few bit flips, or a range
    /// overwritten with random bytes or zeros.
    static func damage(root: String, relative: String, random: inout SplitMix64) throws -> Damage {
        let path = root + "/" + relative
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard !bytes.isEmpty else { return Damage(file: relative, kind: .bitFlips, changed: []) }
        let original = bytes
        var result: Damage
        if random.next() % 2 == 0 {
            // 1–8 bit flips, clustered within 64 KiB of one spot (a bad sector, a bad DIMM row).
            let bits = 1 + Int(random.next() % 8)
            let center = Int(random.next() % UInt64(bytes.count))
            for _ in 0..<bits {
                let spread = Int(random.next() % 65_536) - 32_768
                let at = min(max(0, center + spread), bytes.count - 1)
                bytes[at] ^= UInt8(1) << (random.next() % 8)
            }
            result = Damage(file: relative, kind: .bitFlips, changed: [], bitsFlipped: bits)
        } else {
            // 1–4,096 bytes overwritten with garbage or zeros (a misdirected or torn write).
            let length = 1 + Int(random.next() % 4096)
            let start = Int(random.next() % UInt64(bytes.count))
            let zeros = random.next() % 3 == 0
            for at in start..<min(bytes.count, start + length) { bytes[at] = zeros ? 0 : UInt8(truncatingIfNeeded: random.next()) }
            result = Damage(file: relative, kind: .overwrite, changed: [])
        }
        result.changed = (0..<bytes.count).filter { bytes[$0] != original[$0] }.map(UInt64.init)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return result
    }

    @Test func seededDamage_toSegmentsIndexesAndCheckpoints_isNamed_losesOnlyTheBatchesHit_andStartUpSucceeds() async throws {
        let seed = Self.seed
        var random = SplitMix64(seed: seed)
        let pristine = try TemporaryDirectory("corrupt-pristine")
        defer { pristine.remove() }
        try await Self.record(into: pristine.path, seconds: 40)
        let pristineFrames = try Self.frames(ofDirectory: pristine.path)
        let pristineEvents = try Self.readableEvents(pristine.path)
        let end = (pristineEvents.keys.max() ?? 0) + 1
        #expect(pristineEvents.count == Int(end), "the recording reads whole before any damage")
        let files = try FileManager.default.subpathsOfDirectory(atPath: pristine.path)
            .filter { $0.hasSuffix(".seg") || $0.hasSuffix(".idx") || $0.hasSuffix(".ckpt") }.sorted()
        let segments = files.filter { $0.hasSuffix(".seg") }
        let indexes = files.filter { $0.hasSuffix(".idx") }
        let checkpoints = files.filter { $0.hasSuffix(".ckpt") }
        #expect(segments.count >= 3 && !indexes.isEmpty && checkpoints.count >= 2, "the recording holds \(files)")

        var bitsFlipped = 0, rangesOverwritten = 0, bytesChanged = 0
        var damagedByKind: [String: Int] = [:]
        var batchesHit = 0, batchesLost = 0, eventsHit = 0, eventsLost = 0, headersHit = 0, lostOutsideHitTotal = 0, eventsLostBeforeStart = 0
        var batchesNamed = 0, batchesInNamedRun = 0
        var newestCheckpointDamaged = 0, everyCheckpointDamaged = 0, viewComparisons = 0
        for round in 0..<Self.rounds {
            let copy = try TemporaryDirectory("corrupt-round")
            defer { copy.remove() }
            try FileManager.default.removeItem(atPath: copy.path)
            try FileManager.default.copyItem(atPath: pristine.path, toPath: copy.path)

            // 1–3 acts of damage; a segment half the time, an index or a checkpoint otherwise.
            var damages: [Damage] = []
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let pick = random.next() % 4
                let pool = pick < 2 ? segments : pick == 2 ? (indexes.isEmpty ? segments : indexes) : checkpoints
                let file = pool[Int(random.next() % UInt64(pool.count))]
                damages.append(try Self.damage(root: copy.path, relative: file, random: &random))
            }
            // Every tenth round also loses every checkpoint: the start-up is a full replay.
            if round % 10 == 5 {
                for file in checkpoints { damages.append(try Self.damage(root: copy.path, relative: file, random: &random)) }
            }
            for damage in damages {
                bitsFlipped += damage.bitsFlipped
                if damage.kind == .overwrite { rangesOverwritten += 1 }
                bytesChanged += damage.changed.count
                damagedByKind[String(damage.file.split(separator: ".").last ?? ""), default: 0] += 1
            }
            let context = "seed \(seed) round \(round): \(damages)"

            // The batches (and segment headers) whose bytes changed.
            var hit = Set<Frame>()
            var hitHeaders = Set<String>()
            for damage in damages where damage.file.hasSuffix(".seg") {
                let name = String(damage.file.split(separator: "/").last!)
                for at in damage.changed {
                    if at < UInt64(SegmentHeader.sizeBytes) { hitHeaders.insert(name); continue }
                    if let frame = pristineFrames[name]?.first(where: { at >= $0.position && at < $0.position + $0.length }) { hit.insert(frame) }
                }
            }
            let hitOffsets = Set(hit.flatMap { Array($0.offsets) })
            batchesHit += hit.count
            eventsHit += hitOffsets.count
            headersHit += hitHeaders.count

            // verify: never crashes, exit 1 exactly when a segment was hit, every hit named.
            let verify = try await TachoCommand.run(["verify", "--data", copy.path])
            #expect(verify.status == ((hit.isEmpty && hitHeaders.isEmpty) ? 0 : 1), "\(context): verify exited \(verify.status): \(verify.stdout) \(verify.stderr)")
            let verified = try ReadOnlyEventLog.open(directory: copy.path).verify()
            let named = (verified.damage + [verified.incompleteTail].compactMap { $0 }).map {
                (segment: String($0.segment.split(separator: "/").last!), position: $0.position)
            }
            // Every damaged batch is named by its position, except one whose magic and the
            // length before it were both overwritten: no byte tells where it starts. It
            // must then lie in a run of damaged batches whose first is named.
            for frame in hit {
                if named.contains(where: { $0.segment == frame.segment && $0.position == frame.position }) {
                    batchesNamed += 1
                    continue
                }
                let frames = pristineFrames[frame.segment] ?? []
                var first = frames.firstIndex(of: frame)!
                while first > 0, hit.contains(frames[first - 1]) { first -= 1 }
                let runNamed = named.contains { $0.segment == frame.segment && $0.position == frames[first].position }
                #expect(runNamed && first < frames.firstIndex(of: frame)!,
                    "\(context): verify does not name the damaged batch at \(frame.segment):\(frame.position), nor the run it is in; it names \(named)")
                if runNamed { batchesInNamedRun += 1 }
            }
            for header in hitHeaders {
                #expect(named.contains { $0.segment == header && $0.position == 0 }, "\(context): verify does not name the damaged header of \(header)")
            }
            for entry in named where entry.position > 0 {
                let inHit = hit.contains { $0.segment == entry.segment && entry.position >= $0.position && entry.position < $0.position + $0.length }
                #expect(inHit, "\(context): verify names \(entry.segment):\(entry.position), which no damage hit")
            }

            // Readers before any start-up: everything not hit, unchanged.
            let before = try Self.readableEvents(copy.path)
            for (offset, event) in pristineEvents where before[offset] != event {
                eventsLostBeforeStart += 1
                #expect(hitOffsets.contains(offset), "\(context): offset \(offset), in no batch hit, is lost or changed before start-up")
            }

            // Start-up: an older checkpoint or a full replay; views answered; a clean stop.
            let arguments = ["--data", copy.path, "--port", "0", "--no-collect", "--retention", "none"]
            let server = try await ServeProcess(arguments: arguments)
            #expect(try await server.waitUntilIdle(), "\(context): the server did not catch up")
            var recovered: [String: String] = [:]
            for path in CrashRecoveryTests.viewPaths {
                let answer = try await httpRequest(port: server.port, method: "GET", path: path)
                #expect(answer.status == 200, "\(context): \(path) answered \(answer.status)")
                recovered[path] = answer.body
            }
            server.signal(SIGTERM)
            #expect(try await server.waitForExit(timeout: 20) == 0, "\(context): the server did not stop cleanly")
            let damagedCheckpoints = Set(damages.map(\.file).filter { $0.hasSuffix(".ckpt") })
            if damagedCheckpoints.contains(checkpoints.last!) { newestCheckpointDamaged += 1 }
            if damagedCheckpoints.count == checkpoints.count { everyCheckpointDamaged += 1 }

            // Readers after start-up (which cuts a damaged last batch): still only batches hit missing.
            let after = try Self.readableEvents(copy.path)
            var lostOffsets = Set<UInt64>()
            for (offset, event) in pristineEvents where after[offset] != event { lostOffsets.insert(offset) }
            let lostOutsideHit = lostOffsets.subtracting(hitOffsets)
            #expect(lostOutsideHit.isEmpty, "\(context): \(lostOutsideHit.count) events in no batch hit lost, from offset \(lostOutsideHit.min() ?? 0)")
            eventsLost += lostOffsets.count
            lostOutsideHitTotal += lostOutsideHit.count
            batchesLost += hit.filter { frame in frame.offsets.contains { lostOffsets.contains($0) } }.count

            // Nothing hit in the log: the recovered views equal a full replay's.
            if hit.isEmpty {
                try FileManager.default.removeItem(atPath: copy.path + "/checkpoints")
                let replay = try await ServeProcess(arguments: arguments)
                #expect(try await replay.waitUntilIdle(), "\(context): the replay did not catch up")
                for path in CrashRecoveryTests.viewPaths {
                    let full = try await httpRequest(port: replay.port, method: "GET", path: path).body
                    #expect(recovered[path] == full, "\(context): \(path) after recovery differs from a full replay")
                }
                replay.signal(SIGTERM)
                #expect(try await replay.waitForExit(timeout: 20) == 0)
                viewComparisons += 1
            }
        }
        let kinds = damagedByKind.sorted { $0.key < $1.key }.map { "\($1) \($0)" }.joined(separator: ", ")
        print("corruption campaign seed=\(seed): \(Self.rounds) rounds over \(segments.count) segments, \(indexes.count) indexes, "
            + "\(checkpoints.count) checkpoints (\(pristineEvents.count) events, \(pristineFrames.values.reduce(0) { $0 + $1.count }) batches); "
            + "damage: \(bitsFlipped) bits flipped, \(rangesOverwritten) ranges overwritten, \(bytesChanged) bytes changed (files damaged: \(kinds)); "
            + "\(batchesHit) batches hit (\(eventsHit) events) and \(headersHit) segment headers; verify named \(batchesNamed) hit batches by position "
            + "and \(batchesInNamedRun) more by the named first batch of their damaged run; unreadable before start-up: \(eventsLostBeforeStart) events; "
            + "after start-up \(batchesLost) batches lost (\(eventsLost) events; the rules re-append alerts of a cut last batch), "
            + "\(lostOutsideHitTotal) outside them; \(newestCheckpointDamaged) starts with the newest checkpoint damaged (\(everyCheckpointDamaged) with all); "
            + "\(viewComparisons) rounds with no batch hit compared with a full replay")
    }
}
