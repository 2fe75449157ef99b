import EventStore
import Foundation
import Synchronization
import Testing
@testable import Server
#if canImport(Glibc)
import Glibc
#endif

/// Issue 12's crash campaign: rounds of `kill -9` at a seeded random moment while four
/// clients ingest concurrently. After each kill the server restarts on the same
/// directory and every event acknowledged so far, in every round, must be there once,
/// at its offset, as sent; every checksum must verify; the views recovered from
/// checkpoint + tail must equal a full replay (a start with the checkpoints removed,
/// every tenth round and the last).
///
/// `tools/test` runs a short form (`TACHO_CRASH_ROUNDS`, default 2 per fsync policy);
/// `tools/crash-test ROUNDS [SEED]` the long one. The seed is printed with the figures.
@Suite(.serialized) struct CrashCampaignTests {
    static var rounds: Int { ProcessInfo.processInfo.environment["TACHO_CRASH_ROUNDS"].flatMap(Int.init) ?? 2 }
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["TACHO_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64(UInt32.random(in: 1...UInt32.max))
    }
    static let clients = 4
    static let eventsPerRequest = 20

    /// Event lines a client sent and the offsets the server acknowledged for them.
    struct Acknowledged: Sendable {
        var events: [Event]
        var offsets: ClosedRange<UInt64>
    }

    static func line(round: Int, client: Int, sequence: Int, timeNs: Int64) -> String {
        // The sequence is the value, not a label: one series per client and round, as a
        // real producer's, not one per event.
        #"{"type":"metric","ts":\#(timeNs),"name":"crash_campaign","labels":{"round":"\#(round)","client":"\#(client)"},"value":\#(sequence)}"#
    }

    /// One client: requests of `eventsPerRequest` events until the server is gone.
    static func ingestUntilRefused(port: Int, round: Int, client: Int, baseNs: Int64) async -> [Acknowledged] {
        var acknowledged: [Acknowledged] = []
        var sequence = 0
        while !Task.isCancelled {
            let lines = (0..<eventsPerRequest).map { index in
                line(round: round, client: client, sequence: sequence + index, timeNs: baseNs + Int64(sequence + index))
            }
            sequence += eventsPerRequest
            guard let answer = try? await httpRequest(port: port, method: "POST", path: "/api/v1/events", body: lines.joined(separator: "\n")),
                  answer.status == 200,
                  let offsets = (try? jsonObject(answer.body))?["offsets"] as? [String: Any],
                  let first = offsets["first"] as? Int, let last = offsets["last"] as? Int
            else { break }
            guard let events = try? EventJSONDecoder().decode(lines.joined(separator: "\n"), defaultTimeNs: 0) else { break }
            acknowledged.append(Acknowledged(events: events, offsets: UInt64(first)...UInt64(last)))
        }
        return acknowledged
    }

    static func views(port: Int) async throws -> [String: String] {
        var answers: [String: String] = [:]
        for path in CrashRecoveryTests.viewPaths { answers[path] = try await httpRequest(port: port, method: "GET", path: path).body }
        return answers
    }

    @Test(arguments: ["always", "interval"])
    func killNine_atRandomMoments_underConcurrentIngest_losesNoAcknowledgedEvent(fsync: String) async throws {
        let seed = Self.seed
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory("crash-campaign")
        defer { directory.remove() }
        let arguments = ["--data", directory.path, "--port", "0", "--fsync", fsync, "--no-collect", "--retention", "none"]
        var acknowledged: [Acknowledged] = []
        var killedAfterMs: [Int] = []
        var lostInAllRounds = 0
        var duplicatedInAllRounds = 0
        let baseNs = EventTime.nowNs()

        for round in 0..<Self.rounds {
            let server = try await ServeProcess(arguments: arguments)
            let killAfterMs = 20 + Int(random.next() % 480)
            killedAfterMs.append(killAfterMs)
            let port = server.port
            let roundBaseNs = baseNs + Int64(round) * 1_000_000_000
            let sent = await withTaskGroup(of: [Acknowledged].self) { group in
                for client in 0..<Self.clients {
                    group.addTask { await Self.ingestUntilRefused(port: port, round: round, client: client, baseNs: roundBaseNs) }
                }
                // The random moment of the kill (the clients stop when the server is gone).
                try? await Task.sleep(for: .milliseconds(killAfterMs))
                server.signal(SIGKILL)
                var all: [Acknowledged] = []
                for await part in group { all += part }
                return all
            }
            #expect(try await server.waitForExit(timeout: 10) != nil, "seed \(seed) round \(round): the server died")
            let roundStart = acknowledged.count
            acknowledged += sent
            // This round's events every round; every round's so far (and every checksum)
            // every tenth round and the last, so the campaign stays linear in its rounds.
            let wholeHistory = round % 10 == 9 || round == Self.rounds - 1
            let checking = wholeHistory ? acknowledged[...] : acknowledged[roundStart...]
            let fromOffset = checking.map(\.offsets.lowerBound).min() ?? 0

            // Restart: what was acknowledged is there, once, as sent.
            let restarted = try await ServeProcess(arguments: arguments)
            #expect(try await restarted.waitUntilIdle(), "seed \(seed) round \(round)")
            let stored = try storedEvents(directory.path, from: fromOffset)
            var checked = 0
            var lost = 0
            for request in checking {
                for (offset, event) in zip(request.offsets, request.events) {
                    #expect(stored.byOffset[offset] == event, "seed \(seed) round \(round): offset \(offset) lost or changed")
                    if stored.byOffset[offset] != event { lost += 1 }
                    checked += 1
                }
            }
            lostInAllRounds += lost
            duplicatedInAllRounds += stored.duplicates.count
            #expect(stored.duplicates.isEmpty, "seed \(seed) round \(round): events stored twice: \(stored.duplicates.prefix(5))")
            let recovered = try await Self.views(port: restarted.port)
            restarted.signal(SIGTERM)
            #expect(try await restarted.waitForExit(timeout: 10) == 0)

            // Views from checkpoint + tail equal a full replay, and every checksum verifies
            // (every tenth round and the last: both grow with the log).
            guard wholeHistory else { continue }
            let readOnly = try ReadOnlyEventLog.open(directory: directory.path)
            let verified = try readOnly.verify()
            #expect(verified.damage.isEmpty && verified.incompleteTail == nil, "seed \(seed) round \(round): verify found \(verified)")
            try FileManager.default.removeItem(atPath: directory.path + "/checkpoints")
            let replayed = try await ServeProcess(arguments: arguments)
            #expect(try await replayed.waitUntilIdle())
            let full = try await Self.views(port: replayed.port)
            for path in CrashRecoveryTests.viewPaths {
                #expect(recovered[path] == full[path], "seed \(seed) round \(round): \(path) after recovery differs from a full replay")
            }
            replayed.signal(SIGTERM)
            #expect(try await replayed.waitForExit(timeout: 10) == 0)
            if round == Self.rounds - 1 {
                print("crash campaign fsync=\(fsync) seed=\(seed): \(Self.rounds) rounds of kill -9 after \(killedAfterMs.min() ?? 0)–\(killedAfterMs.max() ?? 0) ms, "
                    + "\(checked) acknowledged events checked in the last round (all rounds'), "
                    + "\(lostInAllRounds) lost or changed and \(duplicatedInAllRounds) duplicated over all rounds; "
                    + "\(stored.byOffset.count) events stored")
            }
        }
    }

    struct Stored {
        var byOffset: [UInt64: Event] = [:]
        /// (round, client, seq) stored at more than one offset.
        var duplicates: [String] = []
    }

    /// The log's events from `offset` on; duplicates are looked for among them (a key
    /// names its round, so no duplicate can span rounds).
    func storedEvents(_ path: String, from offset: UInt64) throws -> Stored {
        let log = try ReadOnlyEventLog.open(directory: path)
        var stored = Stored()
        var seen = Set<String>()
        let reader = log.reader(from: offset)
        while let batch = try reader.next() {
            for logged in batch.loggedEvents {
                stored.byOffset[logged.offset] = logged.event
                if case .metric(let sample) = logged.event.body, sample.series.name == "crash_campaign" {
                    let labels = sample.series.labels
                    let key = "\(labels["round"] ?? "")/\(labels["client"] ?? "")/\(sample.value)"
                    if !seen.insert(key).inserted { stored.duplicates.append(key) }
                }
            }
        }
        return stored
    }
}
