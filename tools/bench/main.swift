import EventStore

// tacho-bench: the EventStore figures of issue 2, measured in one run on one data set.
// Build: swift build -c release --product tacho-bench; run: .build/release/tacho-bench

let repetitions = 7
let bulkBatchSize = 65_536
let trickleBatchSize = 4

print("tacho-bench — data set: \(BenchDataSet.seriesCount) series × \(BenchDataSet.seconds) s at 1 s; 30 % constant, 30 % counters, 40 % 2-decimal random walks")
let dataSet = BenchDataSet()
let events = dataSet.events
print("events: \(events.count); medians of \(repetitions) runs\n")

let bulk = CompressedBatches(events, batchSize: bulkBatchSize)
let trickle = CompressedBatches(events, batchSize: trickleBatchSize)
func perEvent(_ bytes: Int) -> String { BenchFormat.fixed(Double(bytes) / Double(events.count), 3) + " B/event" }

print("== Codec (payload only, without the log's frame header)")
BenchFormat.line("(a) bulk, \(bulkBatchSize) events/batch: encoded", perEvent(bulk.payloadBytes))
BenchFormat.line("(a) bulk, \(bulkBatchSize) events/batch: encoded + LZ4", perEvent(bulk.storedBytes), target: "≤ 2.7")
BenchFormat.line("(b) trickle, \(trickleBatchSize) events/group commit, un-compacted: + LZ4", perEvent(trickle.storedBytes))
// Compaction re-packs the trickled events, in their order, into batches of the bulk size.
let repacked = CompressedBatches(events, batchSize: bulkBatchSize)
BenchFormat.line("(b) trickle, re-packed by compaction: encoded + LZ4", perEvent(repacked.storedBytes), target: "≤ 2.7")

let figures = CodecBench.measure(events, batchSize: bulkBatchSize, repetitions: repetitions)
BenchFormat.line("encode + LZ4 compress", BenchFormat.rate(figures.encodeEventsPerSecond) + "events/s, " + BenchFormat.fixed(figures.encodePayloadMBPerSecond, 0) + " MB/s payload", target: "≥ 5 M events/s")
BenchFormat.line("LZ4 decompress + decode", BenchFormat.rate(figures.decodeEventsPerSecond) + "events/s, " + BenchFormat.fixed(figures.decodePayloadMBPerSecond, 0) + " MB/s payload", target: "≥ 20 M events/s")
let floor = EventFloorBench.eventsPerSecond(events, batchSize: bulkBatchSize, repetitions: repetitions)
BenchFormat.line("floor: build and drop metric Events, no decoding", BenchFormat.rate(floor) + "events/s")
BenchFormat.line("ceiling: LZ4 compress, same payload bytes", BenchFormat.fixed(figures.lz4CompressMBPerSecond, 0) + " MB/s")
BenchFormat.line("ceiling: LZ4 decompress, same payload bytes", BenchFormat.fixed(figures.lz4DecompressMBPerSecond, 0) + " MB/s")

print("\n== Log (EventLog in a temporary directory, fsync=interval, frame headers and segment files included)")
var appendRuns: [LogBench.AppendRun] = []
for _ in 0..<repetitions {
    let directory = LogBench.temporaryDirectory("append")
    appendRuns.append(try await LogBench.appendBulk(events, chunk: bulkBatchSize, directory: directory))
    LogBench.remove(directory)
}
appendRuns.sort { $0.seconds < $1.seconds }
let appendMedian = appendRuns[appendRuns.count / 2]
BenchFormat.line(
    "append, bulk calls of \(bulkBatchSize) events",
    BenchFormat.rate(Double(events.count) / appendMedian.seconds) + "events/s, "
        + BenchFormat.fixed(Double(appendMedian.storedBytes) / 1e6 / appendMedian.seconds, 1) + " MB/s stored, "
        + BenchFormat.fixed(Double(appendMedian.rawBytes) / 1e6 / appendMedian.seconds, 0) + " MB/s uncompressed",
    target: "≥ 5 M events/s")
BenchFormat.line("(a) at rest, bulk import", BenchFormat.fixed(Double(appendMedian.storedBytes) / Double(appendMedian.eventCount), 3) + " B/event", target: "≤ 2.7")

let trickleDirectory = LogBench.temporaryDirectory("trickle")
let trickled = try await LogBench.trickle(events, perCommit: trickleBatchSize, directory: trickleDirectory)
LogBench.remove(trickleDirectory)
BenchFormat.line("(b) at rest, trickled \(trickleBatchSize)/commit, sealed, un-compacted", BenchFormat.fixed(trickled.raw.bytesPerEvent, 3) + " B/event")
BenchFormat.line("(b) at rest, trickled, sealed, after compaction", BenchFormat.fixed(trickled.compacted.bytesPerEvent, 3) + " B/event", target: "≤ 2.7")

let scanDirectory = LogBench.temporaryDirectory("scan")
let scanRun = try await LogBench.appendBulk(events, chunk: bulkBatchSize, directory: scanDirectory)
let scanLog = try EventLog.open(directory: scanDirectory, options: LogBench.bulkOptions())
var scanned = 0
let scanSeconds = try BenchTiming.medianSecondsThrowing(repetitions: repetitions) { scanned = try LogBench.scan(scanLog) }
precondition(scanned == events.count, "scan read \(scanned) of \(events.count) events")
try await scanLog.close()
LogBench.remove(scanDirectory)
BenchFormat.line(
    "scan-verify-decode from segment files (page cache)",
    BenchFormat.rate(Double(events.count) / scanSeconds) + "events/s, "
        + BenchFormat.fixed(Double(scanRun.storedBytes) / 1e6 / scanSeconds, 1) + " MB/s stored, "
        + BenchFormat.fixed(Double(scanRun.rawBytes) / 1e6 / scanSeconds, 0) + " MB/s uncompressed",
    target: "≥ 20 M events/s")
BenchFormat.line("ceiling: LZ4 decompress, same payload bytes (above)", BenchFormat.fixed(figures.lz4DecompressMBPerSecond, 0) + " MB/s uncompressed")
