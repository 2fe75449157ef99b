import Foundation
import BenchArguments
import EventStore

/// tacho-foldbench: fold throughput, checkpoint cost, recovery time and resident
/// memory of the projections (issue 3's benchmark). Run a release build, alone.
let usage = """
    usage: tacho-foldbench fold [--events N] [--series S] [--runs R] [--mix metric-heavy|demo]
           tacho-foldbench recovery [--events N] [--series S] [--runs R] [--replay-runs R] [--dir DIR]
           tacho-foldbench rss [--events N] [--series S] [--every N] [--interval-s SECONDS] [--retention live|standard]
           tacho-foldbench state --file DIR/snapshots/N.ckpt [--runs R]
           tacho-foldbench rollups [--series S] [--hours H] [--interval-s SECONDS] [--segment-bytes B] [--runs R]
    """

func retention(_ name: String) throws -> String {
    guard ["live", "standard"].contains(name) else { throw UsageError(message: "--retention is live or standard, not '\(name)'") }
    return name
}

do {
    let arguments = try Arguments(
        Array(CommandLine.arguments.dropFirst()),
        knownValues: ["--events", "--series", "--runs", "--replay-runs", "--dir", "--every", "--file", "--interval-s", "--mix", "--retention", "--hours", "--segment-bytes"], knownFlags: [])
    let series = try arguments.int("--series", default: 10_000)
    switch arguments.mode {
    case "fold":
        let count = try arguments.int("--events", default: 2_000_000)
        let runs = try arguments.int("--runs", default: 5)
        // One mix alone (`--mix`) for a profiler's samples of that fold only.
        let mix = arguments.string("--mix")
        guard mix == nil || mix == "metric-heavy" || mix == "demo" else { throw UsageError(message: "--mix is metric-heavy or demo") }
        var streams: [(String, [Event])] = []
        if mix != "demo" { streams.append(("metric-heavy (\(series) series)", Streams.metricHeavy(count: count, seriesCount: series))) }
        if mix != "metric-heavy" { streams.append(("demo mix", Streams.demoMix(count: count))) }
        for (name, events) in streams {
            print("\(name): \(events.count) events; \(Streams.mixDescription(events))")
            let fold = FoldBench.run(events, runs: runs)
            Measure.line("  fold ProjectionSet, median of \(runs)", "\(Measure.rate(fold.setEventsPerSecond))events/s", target: "≥ 5 M metric-heavy")
            Measure.line("  fold EngineState (views + rules), median of \(runs)", "\(Measure.rate(fold.engineEventsPerSecond))events/s")
            let scan = try await ScanBench.run(events, runs: runs)
            Measure.line("  scan-verify-decode of the same events, median of \(runs)", "\(Measure.rate(scan))events/s")
            Measure.line(
                "  fold ProjectionSet / scan", "1/\(Measure.fixed(scan / fold.setEventsPerSecond, 1))", target: "≥ 1/5")
            for codec in CheckpointBench.Codec.allCases {
                let checkpoint = try CheckpointBench.run(fold.state, codec: codec, runs: runs)
                Measure.line("  checkpoint size (\(codec.rawValue))", "\(checkpoint.sizeBytes) bytes")
                Measure.line("  checkpoint encode (\(codec.rawValue)), median", "\(Measure.fixed(checkpoint.encodeSeconds * 1000, 2)) ms")
                Measure.line("  checkpoint write (\(codec.rawValue); temp file, fsync, rename), median", "\(Measure.fixed(checkpoint.writeSeconds * 1000, 2)) ms")
                Measure.line("  checkpoint decode (\(codec.rawValue)), median", "\(Measure.fixed(checkpoint.decodeSeconds * 1000, 2)) ms")
            }
        }
    case "recovery":
        let count = try arguments.int("--events", default: 10_000_000)
        let directory = arguments.string("--dir")
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("tacho-foldbench-recovery-\(UUID().uuidString)").path
        let ownsDirectory = arguments.string("--dir") == nil
        defer { if ownsDirectory { try? FileManager.default.removeItem(atPath: directory) } }
        let result = try await RecoveryBench.run(
            events: count, seriesCount: series, runs: try arguments.int("--runs", default: 5),
            replayRuns: try arguments.int("--replay-runs", default: 3), directory: directory)
        print("log: \(result.events) events, \(result.storedBytes) bytes stored; checkpoint at offset \(result.checkpointOffset)")
        Measure.line("open + recover with a checkpoint \(result.events - result.checkpointOffset) events from the end, median", "\(Measure.fixed(result.withCheckpointSeconds, 3)) s", target: "< 1 s")
        Measure.line("open + recover with no checkpoint (full replay), median of \(result.fullReplayRuns)", "\(Measure.fixed(result.fullReplaySeconds, 3)) s (\(Measure.rate(Double(result.events) / result.fullReplaySeconds))events/s)")
    case "state":
        guard let file = arguments.string("--file") else { throw UsageError(message: "state needs --file, a checkpoint or snapshot file") }
        try StateSizes.run(file: file, runs: try arguments.int("--runs", default: 5))
    case "rss":
        let count = try arguments.int("--events", default: 50_000_000)
        MemoryBench.run(
            events: count, seriesCount: series, reportEvery: try arguments.int("--every", default: 5_000_000),
            intervalSeconds: try arguments.int("--interval-s", default: 1), retention: try retention(arguments.string("--retention") ?? "live"))
    case "rollups":
        let directory = NSTemporaryDirectory() + "tacho-rollupbench-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await RollupReadBench.run(
            seriesCount: try arguments.int("--series", default: 1_000), hours: try arguments.int("--hours", default: 24),
            intervalSeconds: try arguments.int("--interval-s", default: 15), segmentBytes: try arguments.int("--segment-bytes", default: 1 << 20),
            runs: try arguments.int("--runs", default: 5), directory: directory)
    default:
        throw UsageError(message: "unknown mode '\(arguments.mode)'")
    }
} catch let error as UsageError {
    FileHandle.standardError.write(Data("tacho-foldbench: \(error)\n\(usage)\n".utf8))
    exit(64)
} catch {
    FileHandle.standardError.write(Data("tacho-foldbench: failed: \(error)\n".utf8))
    exit(1)
}
