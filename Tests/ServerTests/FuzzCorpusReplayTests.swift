import Foundation
import Testing
import TestSupport

/// The short form of the fuzzing campaign (RELIABILITY.md), in every `tools/test` run:
/// each libFuzzer target's inputs — the seeds it derives from the fixtures, the corpus
/// committed under Tests/Fuzz/corpus/TARGET and every fixed finding under
/// Tests/Fuzz/regressions/TARGET — go through the target in the normal build of
/// `TachoFuzz`, whose targets check more than "no crash": accepted events survive the
/// log's codec and their JSON form unchanged, a decoded checkpoint re-encodes the same.
/// The long form (`tools/fuzz TARGET 600`, AddressSanitizer and coverage) runs by hand.
@Suite struct FuzzCorpusReplayTests {
    static var repository: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var binary: String { BuiltProducts.path("TachoFuzz", packageRoot: repository) }

    /// The targets as the tool names them (`TachoFuzz list`, one per line, name first).
    static let targets = ["json", "batch", "segment", "segment-index", "series-index", "meta", "checkpoint", "stored-state", "gzip", "remote-write", "otlp-protobuf", "otlp-json", "statsd", "influx", "prometheus-text", "promql"]

    static func files(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted().map { directory.appendingPathComponent($0).path }
    }

    @Test func everyTargetTheToolLists_isReplayedHere() async throws {
        let listed = try await runTool(Self.binary, ["list"])
        #expect(listed.status == 0, "\(listed.output)")
        let names = listed.output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(Set(names) == Set(Self.targets), "TachoFuzz list: \(names)")
    }

    @Test(arguments: targets)
    func target_runsItsSeedsCorpusAndFixedFindings_withoutAFinding(_ target: String) async throws {
        let seeds = try TemporaryDirectory("fuzz-seeds-\(target)")
        defer { seeds.remove() }
        let written = try await runTool(Self.binary, ["seeds", target, seeds.path])
        #expect(written.status == 0, "\(written.output)")
        let fuzz = Self.repository.appendingPathComponent("Tests/Fuzz")
        let inputs = Self.files(in: URL(fileURLWithPath: seeds.path)) + Self.files(in: fuzz.appendingPathComponent("corpus/\(target)"))
            + Self.files(in: fuzz.appendingPathComponent("regressions/\(target)"))
        #expect(!inputs.isEmpty, "\(target) has no input to replay")
        guard !inputs.isEmpty else { return }
        let replayed = try await runTool(Self.binary, [target] + inputs, timeoutSeconds: 300)
        #expect(replayed.status == 0, "\(target): \(replayed.output.suffix(2000))")
        #expect(replayed.output.components(separatedBy: ": no finding").count - 1 == inputs.count, "every input of \(target) was run")
    }
}
