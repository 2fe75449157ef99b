@testable import EventStore
import Foundation
@testable import Projections
@testable import Server

/// Seed inputs derived from the repository's fixtures (run from the repository root),
/// written by `tools/fuzz` into the working corpus beside Tests/Fuzz/corpus/TARGET.
enum FuzzSeeds {
    static func lines(_ path: String) -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Event lines of the fixtures: the format-v1 recording and the incident recordings.
    static let fixtureLines: [String] = {
        var all = lines("fixtures/format-v1/events.ndjson")
        let incidents = (try? FileManager.default.contentsOfDirectory(atPath: "fixtures/incidents")) ?? []
        for name in incidents.sorted() where name.hasSuffix(".ndjson") { all += lines("fixtures/incidents/" + name) }
        return all
    }()

    static let fixtureEvents: [Event] = fixtureLines.compactMap { try? EventJSONDecoder().decode($0, defaultTimeNs: 0).first }

    /// The engine state after the fixtures' first 400 events, as a checkpoint holds it.
    static var foldedFixtureState: EngineState<ProjectionSet> {
        var state = EngineState<ProjectionSet>(rules: .defaults)
        for (offset, event) in fixtureEvents.prefix(400).enumerated() {
            _ = state.apply(event, offset: UInt64(offset), evaluatingRules: true)
        }
        return state
    }

    /// The first fixture event of each type.
    static let eventOfEachType: [Event] = {
        var seen = Set<EventType>()
        return fixtureEvents.filter { seen.insert($0.type).inserted }
    }()

    /// Groups of fixture lines of every type, `count` groups of `size` lines.
    static func lineGroups(count: Int, size: Int) -> [[String]] {
        guard !fixtureLines.isEmpty else { return [] }
        let step = max(1, fixtureLines.count / count)
        return stride(from: 0, to: fixtureLines.count, by: step).prefix(count).map { Array(fixtureLines[$0..<min(fixtureLines.count, $0 + size)]) }
    }

    static func seeds(_ target: FuzzTarget) -> [[UInt8]] {
        switch target {
        case .json:
            var seeds = lineGroups(count: 24, size: 6).map { Array(($0.joined(separator: "\n") + "\n").utf8) }
            for group in lineGroups(count: 6, size: 4) { seeds.append(Array(("[" + group.joined(separator: ",") + "]").utf8)) }
            return seeds
        case .batch:
            return lineGroups(count: 24, size: 12).map { group in
                let events = group.compactMap { try? EventJSONDecoder().decode($0, defaultTimeNs: 0).first }
                var bytes = [UInt8(events.count & 0xFF), UInt8(events.count >> 8 & 0xFF), UInt8(events.count >> 16 & 0xFF)]
                BatchCodec.encode(events, into: &bytes)
                return bytes
            }
        case .segment:
            let directory = "fixtures/format-v1/data/log"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".seg") }.sorted()
            return names.compactMap { FileManager.default.contents(atPath: directory + "/" + $0).map(Array.init) }
        case .segmentIndex:
            // The fixture's own index without its checksum (the target appends one).
            return fixtureIndexes.map { Array($0.dropLast(4)) }
        case .seriesIndex:
            // The index a read-only scan of the fixture builds for its sealed segment.
            guard let log = try? ReadOnlyEventLog.open(directory: FuzzTarget.dataPath, fileSystem: FuzzTarget.fixtureFileSystem(replacing: nil, with: [])),
                  let sealed = log.state.allSegments.first(where: \.sealed),
                  let index = try? log.seriesIndexes.index(for: sealed)
            else { return [] }
            return [Array(index.encoded().dropLast(4))]
        case .meta:
            return FuzzTarget.fixtureFiles.filter { $0.name == "meta" }.map(\.bytes)
        case .gzip:
            return lineGroups(count: 8, size: 6).map { group in
                let body = Array((group.joined(separator: "\n") + "\n").utf8)
                return body.withUnsafeBytes { ContentEncoding.gzip($0) }
            }
        case .checkpoint:
            let (empty, state) = (EngineState<ProjectionSet>(rules: .defaults), foldedFixtureState)
            var seeds = [empty, state].compactMap { try? EngineStateCodec.encode($0) }
            if let folded = seeds.last {
                // The same content behind its file header, as a checkpoint file holds it.
                let header = CheckpointFileHeader(nextOffset: state.nextOffset, eventTimeNs: state.eventTimeNs, contentSizeBytes: UInt64(folded.count))
                seeds.append(folded.withUnsafeBytes { header.encode(content: $0) } + folded)
            }
            return seeds
        case .storedState:
            return [EngineState<ProjectionSet>(rules: .defaults), foldedFixtureState].compactMap { try? CompactEncoder.encode($0) }
        case .remoteWrite:
            let metrics = fixtureEvents.compactMap { event -> RemoteWriteEncoder.Series? in
                guard case .metric(let sample) = event.body else { return nil }
                let labels = [("__name__", sample.series.name)] + sample.series.labels.pairs.map { ($0.key, $0.value) }
                return RemoteWriteEncoder.Series(labels: labels, samples: [(sample.value, event.timeNs / 1_000_000)])
            }
            var seeds = stride(from: 0, to: min(metrics.count, 240), by: 20).map { RemoteWriteEncoder.encode(Array(metrics[$0..<min(metrics.count, $0 + 20)])) }
            // One seed as a sender posts it: snappy-compressed.
            if let first = seeds.first { seeds.append(first.withUnsafeBytes { SnappyBlock.compress($0) }) }
            return seeds
        case .otlpProtobuf:
            return [otlpRequest()]
        case .otlpJSON, .statsd, .influx, .prometheusText:
            return []
        case .promql:
            return lines("fixtures/promql/conformance.txt").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { Array($0.utf8) }
        }
    }

    static var fixtureIndexes: [[UInt8]] { FuzzTarget.fixtureFiles.filter { $0.name.hasSuffix(".idx") }.map(\.bytes) }

    /// An ExportMetricsServiceRequest with a sum, a gauge and a histogram, written field by field.
    static func otlpRequest() -> [UInt8] {
        func keyValue(_ key: String, _ value: String) -> [UInt8] {
            var any = Writer()
            any.bytes(1, Array(value.utf8))
            var pair = Writer()
            pair.bytes(1, Array(key.utf8))
            pair.bytes(2, any.out)
            return pair.out
        }
        let t0: UInt64 = 1_767_261_600_000_000_000
        func numberPoint(_ value: Double, attributes: [(String, String)] = [], intValue: Int64? = nil) -> [UInt8] {
            var point = Writer()
            for (key, label) in attributes { point.bytes(7, keyValue(key, label)) }
            point.fixed64(3, t0)
            if let intValue { point.fixed64(6, UInt64(bitPattern: intValue)) } else { point.fixed64(4, value.bitPattern) }
            return point.out
        }
        var counter = Writer()
        counter.bytes(1, Array("orders.placed".utf8))
        var sum = Writer()
        sum.bytes(1, numberPoint(0, attributes: [("region", "eu")], intValue: 5))
        sum.varintField(2, 2)
        sum.varintField(3, 1)
        counter.bytes(7, sum.out)
        var gauge = Writer()
        gauge.bytes(1, Array("cpu.temp".utf8))
        var gaugeData = Writer()
        gaugeData.bytes(1, numberPoint(61.5))
        gauge.bytes(5, gaugeData.out)
        var histogram = Writer()
        histogram.bytes(1, Array("request.duration".utf8))
        var point = Writer()
        point.bytes(9, keyValue("route", "/a"))
        point.fixed64(3, t0)
        point.fixed64(4, 3)
        point.fixed64(5, (555.0).bitPattern)
        var counts = Writer()
        for count: UInt64 in [1, 1, 1] { counts.raw64(count) }
        point.bytes(6, counts.out)
        var bounds = Writer()
        for bound in [10.0, 100.0] { bounds.raw64(bound.bitPattern) }
        point.bytes(7, bounds.out)
        var histogramData = Writer()
        histogramData.bytes(1, point.out)
        histogramData.varintField(2, 2)
        histogram.bytes(9, histogramData.out)
        var summary = Writer()
        summary.bytes(1, Array("rpc.latency".utf8))
        var summaryPoint = Writer()
        summaryPoint.fixed64(3, t0)
        summaryPoint.fixed64(4, 2)
        summaryPoint.fixed64(5, (3.5).bitPattern)
        var quantile = Writer()
        quantile.fixed64(1, (0.5).bitPattern)
        quantile.fixed64(2, (1.5).bitPattern)
        summaryPoint.bytes(6, quantile.out)
        var summaryData = Writer()
        summaryData.bytes(1, summaryPoint.out)
        summary.bytes(11, summaryData.out)

        var scope = Writer()
        for metric in [counter, gauge, histogram, summary] { scope.bytes(2, metric.out) }
        var resource = Writer()
        resource.bytes(1, keyValue("service.name", "checkout"))
        resource.bytes(1, keyValue("host.arch", "amd64"))
        var resourceMetrics = Writer()
        resourceMetrics.bytes(1, resource.out)
        resourceMetrics.bytes(2, scope.out)
        var request = Writer()
        request.bytes(1, resourceMetrics.out)
        return request.out
    }

    /// The protobuf wire format, as a sender's generated code writes it.
    struct Writer {
        var out: [UInt8] = []
        mutating func varint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                out.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            out.append(UInt8(value))
        }
        mutating func key(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }
        mutating func varintField(_ field: UInt64, _ value: UInt64) {
            key(field, 0)
            varint(value)
        }
        mutating func raw64(_ value: UInt64) {
            for shift in 0..<8 { out.append(UInt8(value >> (8 * UInt64(shift)) & 0xFF)) }
        }
        mutating func fixed64(_ field: UInt64, _ value: UInt64) {
            key(field, 1)
            raw64(value)
        }
        mutating func bytes(_ field: UInt64, _ value: [UInt8]) {
            key(field, 2)
            varint(UInt64(value.count))
            out += value
        }
    }
}
