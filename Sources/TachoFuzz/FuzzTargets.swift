@testable import EventStore
import Foundation
import Hummingbird
import Logging
@testable import Projections
import PromQL
@testable import Server
import TestSupport
import Runtime

/// The fuzz targets: each takes one input as the network or the disk would hand it to
/// Tacho and runs the code that reads it. A target fails (traps) on a crash, a sanitizer
/// report, or an input accepted wrongly: events that the log's codec cannot store and
/// read back unchanged, a checkpoint state that does not survive its own encoding.
enum FuzzTarget: String, CaseIterable {
    case json
    case batch
    case segment
    case segmentIndex = "segment-index"
    case seriesIndex = "series-index"
    case meta
    case checkpoint
    case storedState = "stored-state"
    case gzip
    case remoteWrite = "remote-write"
    case otlpProtobuf = "otlp-protobuf"
    case otlpJSON = "otlp-json"
    case statsd
    case influx
    case prometheusText = "prometheus-text"
    case promql

    /// What the target reads, for `tools/fuzz list`.
    var summary: String {
        switch self {
        case .json: "POST /api/v1/events body: JSONParser and EventJSONDecoder (NDJSON or array), events re-read through JSON and the batch codec"
        case .batch: "BatchCodec.decode of a batch payload (3-byte little-endian event count, then the payload)"
        case .segment: "a segment file's bytes: read-only scan and read of every batch, then Recovery.open (the writable start)"
        case .segmentIndex: "a sealed segment's index file (its checksum appended) beside the format-v1 fixture: reads, seeks and Recovery.open unchanged"
        case .seriesIndex: "a sealed segment's series index file (its checksum appended) beside the format-v1 fixture: refused, or re-encoded alike, and a scan through it returns only samples the log holds"
        case .meta: "the data directory's meta file beside the format-v1 fixture: refused, or the log read unchanged"
        case .checkpoint: "checkpoint file header, and EngineState<ProjectionSet> JSON content: decoded, re-encoded, then folded further"
        case .storedState: "EngineState<ProjectionSet> in CompactEncoder's binary form (checkpoints, view snapshots): decoded, re-encoded, then folded further"
        case .gzip: "a gzip or zlib request body (Content-Encoding): inflated within a limit; the input gzipped inflates back to itself"
        case .remoteWrite: "remote-write body: snappy block decoder on the input, RemoteWriteDecoder on the input as protobuf"
        case .otlpProtobuf: "OTLP ExportMetricsServiceRequest protobuf: decoder and event mapper"
        case .otlpJSON: "OTLP/JSON body: decoder and event mapper"
        case .statsd: "a StatsD datagram: line parser, aggregator and flush"
        case .influx: "Influx line protocol body: parser and event conversion"
        case .prometheusText: "Prometheus text 0.0.4 and OpenMetrics exposition: parser and event conversion"
        case .promql: "a PromQL expression: parser, then an instant evaluation over three small series"
        }
    }

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .json: Self.json(bytes)
        case .batch: Self.batch(bytes)
        case .segment: Self.segment(bytes)
        case .segmentIndex: Self.segmentIndex(bytes)
        case .seriesIndex: Self.seriesIndex(bytes)
        case .meta: Self.meta(bytes)
        case .checkpoint: Self.checkpoint(bytes)
        case .storedState: Self.storedState(bytes)
        case .gzip: Self.gzip(bytes)
        case .remoteWrite: Self.remoteWrite(bytes)
        case .otlpProtobuf: Self.otlp(bytes, json: false)
        case .otlpJSON: Self.otlp(bytes, json: true)
        case .statsd: Self.statsd(bytes)
        case .influx: Self.influx(bytes)
        case .prometheusText: Self.prometheusText(bytes)
        case .promql: Self.promql(bytes)
        }
    }

    static let receivedNs: Int64 = 1_767_261_600_000_000_000

    // MARK: - Targets

    static func json(_ bytes: UnsafeRawBufferPointer) {
        _ = try? JSONParser.parse(bytes)
        // The fast path for plain lines must decide exactly as the JSON tree does.
        let fast = Result { () throws(EventInputError) in try EventJSONDecoder().decode(bytes, defaultTimeNs: receivedNs) }
        let tree = Result { () throws(EventInputError) in try EventJSONDecoder(usesFastPath: false).decode(bytes, defaultTimeNs: receivedNs) }
        switch (fast, tree) {
        case (.success(let events), .success(let reference)):
            guard events == reference, encoded(events) == encoded(reference) else { fatalError("json: the fast path decoded other events than the tree") }
            requireStorable(events, "json")
        case (.failure(let error), .failure(let reference)):
            guard error == reference else { fatalError("json: the fast path refused with \(error), the tree with \(reference)") }
        case (.success, .failure(let reference)):
            fatalError("json: the fast path accepted what the tree refuses: \(reference)")
        case (.failure(let error), .success):
            fatalError("json: the fast path refused what the tree accepts: \(error)")
        }
    }

    static func batch(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 3 else { return }
        let count = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        var events: [Event] = []
        do {
            try BatchCodec.decode(UnsafeRawBufferPointer(rebasing: bytes[3...]), eventCount: count, into: &events)
        } catch { return }
        guard events.count == count else { fatalError("batch: decoded \(events.count) events of \(count)") }
        requireStorable(events, "batch")
    }

    static let dataPath = "/fuzz"
    static let segmentPath = dataPath + "/log/" + LogFormat.segmentFileName(baseOffset: 0)
    /// The `meta` file a data directory starts with.
    static let freshMeta: [UInt8] = {
        let fileSystem = SimulatedFileSystem(seed: 1)
        _ = try! DataDirectory.open(path: dataPath, fileSystem: fileSystem)
        return fileSystem.contents(dataPath + "/meta")!
    }()

    static func segment(_ bytes: UnsafeRawBufferPointer) {
        let fileSystem = SimulatedFileSystem(seed: 1)
        try! fileSystem.createDirectory(dataPath)
        try! fileSystem.createDirectory(dataPath + "/log")
        fileSystem.setContents(dataPath + "/meta", freshMeta)
        fileSystem.setContents(segmentPath, Array(bytes))
        readAll(fileSystem)
        // The writable start: truncates a torn tail, derives the index; then read again.
        do {
            let opened = try Recovery.open(DataDirectory(path: dataPath, fileSystem: fileSystem), options: LogOptions(), logger: quietLogger)
            opened.activeFile.close()
        } catch { return }
        readAll(fileSystem)
    }

    private static func readAll(_ fileSystem: SimulatedFileSystem) {
        guard let log = try? ReadOnlyEventLog.open(directory: dataPath, fileSystem: fileSystem) else { return }
        let reader = log.reader()
        var previousEnd: UInt64 = 0
        for _ in 0..<100_000 {
            do {
                guard let batch = try reader.next() else { return }
                guard batch.baseOffset >= previousEnd else {
                    fatalError("segment: batch at \(batch.baseOffset) after one ending at \(previousEnd)")
                }
                previousEnd = batch.baseOffset + UInt64(batch.events.count)
                requireStorable(batch.events, "segment")
            } catch {
                guard case .corruption = error, (try? reader.skipDamaged()) != nil else { return }
            }
        }
        fatalError("segment: the reader did not reach the end in 100,000 steps")
    }

    static func checkpoint(_ bytes: UnsafeRawBufferPointer) {
        // As a file: the store checks header and checksum, the host decodes what it returns.
        let fileSystem = SimulatedFileSystem(seed: 1)
        if let store = try? FileCheckpointStore(directory: dataPath, fileSystem: fileSystem) {
            // Named for the offset its header declares, as the store writes it.
            let declared = bytes.count >= 16 ? (8..<16).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1 - 8)) } : 7
            fileSystem.setContents(dataPath + "/" + FileCheckpointStore.fileName(nextOffset: declared), Array(bytes))
            if let listing = try? store.list() {
                for info in listing.checkpoints {
                    guard let content = try? store.load(info) else { continue }
                    guard info.contentSizeBytes == UInt64(content.count) else { fatalError("checkpoint: loaded \(content.count) bytes, header says \(info.contentSizeBytes)") }
                    if let state = try? EngineStateCodec.decode(content, as: EngineState<ProjectionSet>.self) { fold(state) }
                }
            }
        }
        // As content whose checksum held (written by a faulty or different build).
        guard let state = try? EngineStateCodec.decode(Array(bytes), as: EngineState<ProjectionSet>.self) else { return }
        fold(state)
    }

    static func storedState(_ bytes: UnsafeRawBufferPointer) {
        // The binary form as it is before zstd (a frame's own checks would turn most inputs away).
        guard let state = try? CompactDecoder.decode(EngineState<ProjectionSet>.self, from: Array(bytes)) else { return }
        let again: EngineState<ProjectionSet>
        do { again = try StoredStateCodec.decode(try StoredStateCodec.encode(state)) } catch {
            fatalError("stored-state: a decoded state does not decode after encoding: \(error)")
        }
        guard again == state else { fatalError("stored-state: a decoded state changes through encoding") }
        fold(state)
    }

    /// A decoded state survives its own encoding and goes on folding every event kind, as the host does.
    static func fold(_ decoded: EngineState<ProjectionSet>) {
        var state = decoded
        let again: EngineState<ProjectionSet>
        do { again = try EngineStateCodec.decode(try EngineStateCodec.encode(state), as: EngineState<ProjectionSet>.self) } catch {
            fatalError("checkpoint: a decoded state does not decode after encoding: \(error)")
        }
        guard again == state else { fatalError("checkpoint: a decoded state changes through encoding") }
        var offset = state.nextOffset
        for event in FuzzSeeds.eventOfEachType {
            guard offset < UInt64.max else { return }
            _ = state.apply(event, offset: offset, evaluatingRules: true)
            offset += 1
        }
        _ = try? EngineStateCodec.encode(state)
    }

    static func gzip(_ bytes: UnsafeRawBufferPointer) {
        let bytesMax = 1 << 22
        if let inflated = try? ContentEncoding.inflate(bytes, bytesMax: bytesMax), inflated.count > bytesMax {
            fatalError("gzip: inflated \(inflated.count) bytes past the limit of \(bytesMax)")
        }
        guard bytes.count <= bytesMax else { return }
        let compressed = ContentEncoding.gzip(bytes)
        guard (try? compressed.withUnsafeBytes { try ContentEncoding.inflate($0, bytesMax: bytesMax) }) == Array(bytes) else {
            fatalError("gzip: a body gzipped by zlib does not inflate back to itself")
        }
    }

    static func remoteWrite(_ bytes: UnsafeRawBufferPointer) {
        if let raw = try? SnappyBlock.decompress(bytes, bytesMax: 1 << 22) {
            let again = raw.withUnsafeBytes { SnappyBlock.compress($0) }
            let back = again.withUnsafeBytes { try? SnappyBlock.decompress($0, bytesMax: 1 << 22) }
            guard back == raw else { fatalError("remote-write: snappy does not round-trip a block it decoded") }
        }
        let decoder = RemoteWriteDecoder(knownTypes: { _ in nil }, seriesKeys: SeriesKeyCache())
        guard let decoded = try? decoder.decode(bytes) else { return }
        requireStorable(decoded.events, "remote-write")
        // The cache must give the same keys the second time.
        guard let second = try? decoder.decode(bytes) else { fatalError("remote-write: refused the second time") }
        guard encoded(second.events) == encoded(decoded.events) else { fatalError("remote-write: the series-key cache changed a series") }
    }

    static func otlp(_ bytes: UnsafeRawBufferPointer, json: Bool) {
        let metrics: OTLPMetrics
        do {
            metrics = json ? try OTLPJSONDecoder.decode(bytes) : try OTLPProtobufDecoder.decode(bytes)
        } catch { return }
        guard let mapped = try? OTLPEventMapper(totals: OTLPDeltaTotals()).map(metrics, defaultTimeNs: receivedNs) else { return }
        requireStorable(mapped.decoded.events, json ? "otlp-json" : "otlp-protobuf")
    }

    static func statsd(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) { _ = try? StatsDLine.parse(line) }
        let collector = StatsDCollector()
        collector.receive(Substring(text))
        requireStorable(collector.flush(timeNs: receivedNs).events, "statsd")
        collector.receive(Substring(text))
        requireStorable(collector.flush(timeNs: receivedNs + 1).events, "statsd")
    }

    static func influx(_ bytes: UnsafeRawBufferPointer) {
        guard let points = try? LineProtocolParser().parse(bytes) else { return }
        for unitNs: Int64 in [1, 1_000_000_000] {
            guard let decoded = try? InfluxWriteController<BasicContext>.events(points, unitNs: unitNs, defaultTimeNs: receivedNs) else { continue }
            requireStorable(decoded.events, "influx")
        }
    }

    static func prometheusText(_ bytes: UnsafeRawBufferPointer) {
        for dialect in [PrometheusTextParser.Dialect.text, .openMetrics] {
            guard let parsed = try? PrometheusTextParser(dialect: dialect).parse(bytes) else { continue }
            guard let decoded = try? parsed.events(defaultTimeNs: receivedNs, targetLabels: [("job", "fuzz")]) else { continue }
            requireStorable(decoded.events, "prometheus-text")
        }
    }

    static let promSource = InMemorySampleSource([
        PromQL.Series(labels: PromQL.Labels(name: "a", ["job": "api", "le": "0.1"]), samples: (0..<40).map { Sample(timestampMs: Int64($0) * 15_000, value: Double($0)) }),
        PromQL.Series(labels: PromQL.Labels(name: "a", ["job": "db", "le": "+Inf"]), samples: (0..<40).map { Sample(timestampMs: Int64($0) * 15_000, value: Double($0 * 2)) }),
        PromQL.Series(labels: PromQL.Labels(name: "b", ["job": "api"]), samples: (0..<40).map { Sample(timestampMs: Int64($0) * 15_000, value: Double(40 - $0)) }),
    ])

    /// The promql target's query deadline: well under libFuzzer's 10 s hang limit.
    static let promqlDeadlineMs: UInt64 = 2_000

    static func promql(_ bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let expr = try? PromQL.Parser.parse(text) else { return }
        // As the server does (`--query.timeout`): a query past its deadline stops with
        // `timedOut`, so a legitimately huge one (`x[81m:1ms]`, 4.9 M steps) is no hang.
        var options = QueryOptions()
        let deadline = DispatchTime.now().uptimeNanoseconds + promqlDeadlineMs * 1_000_000
        options.isPastDeadline = { DispatchTime.now().uptimeNanoseconds > deadline }
        _ = try? Evaluator.instant(expr, atMs: 600_000, source: promSource, options: options)
    }

    // MARK: - Checks

    static let quietLogger = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The batch payload of `events` (the codec traps on events outside `EventLimits`).
    static func encoded(_ events: [Event]) -> [UInt8] {
        var bytes: [UInt8] = []
        var start = 0
        while start < events.count {
            let end = min(events.count, start + BatchCodec.eventsPerBatchMax)
            BatchCodec.encode(events[start..<end], into: &bytes)
            start = end
        }
        return bytes
    }

    /// Accepted events must be storable: the codec writes them and reads them back unchanged.
    static func requireStorable(_ events: [Event], _ target: String) {
        guard !events.isEmpty, events.count <= BatchCodec.eventsPerBatchMax else { return }
        let first = encoded(events)
        var decoded: [Event] = []
        let result: Result<Void, CodecError> = first.withUnsafeBytes { payload in
            do throws(CodecError) {
                try BatchCodec.decode(payload, eventCount: events.count, into: &decoded)
                return .success(())
            } catch { return .failure(error) }
        }
        if case .failure(let error) = result { fatalError("\(target): accepted events whose batch does not decode: \(error)") }
        guard encoded(decoded) == first else { fatalError("\(target): accepted events change through the log's codec") }
        // Stored events are written as JSON (events API, SSE, export; JSONWriter traps on a
        // non-finite number) and an export must import again unchanged.
        var lines = ""
        for event in events { lines += EventJSONEncoder().encode(event) + "\n" }
        let again: [Event]
        do { again = try EventJSONDecoder().decode(lines, defaultTimeNs: 0) } catch {
            fatalError("\(target): accepted events whose JSON form (export) does not import: \(error)\n\(lines.prefix(2000))")
        }
        guard encoded(again) == first else {
            fatalError("\(target): accepted events change through their JSON form\n\(lines.prefix(2000))")
        }
    }
}

typealias BasicContext = BasicRequestContext
