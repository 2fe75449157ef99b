import BenchArguments
import EventStore
import Foundation
import Projections
import Runtime

/// `tacho-foldbench state --file F`: what a stored state (a checkpoint or a view
/// snapshot) holds, part by part, and what decoding each part costs: where a
/// `?at=` answer's snapshot decode goes (the packed `TimeRing` form came from this).
enum StateSizes {
    static func run(file: String, runs: Int) throws {
        let directory = (file as NSString).deletingLastPathComponent
        guard let store = FileCheckpointStore.reading(directory: directory),
              let info = try store.list().checkpoints.first(where: { FileCheckpointStore.fileName(nextOffset: $0.nextOffset) == (file as NSString).lastPathComponent })
        else { throw UsageError(message: "\(file) is not a readable checkpoint or snapshot file") }
        let bytes = try store.load(info)
        var state: EngineState<ProjectionSet>?
        let whole = Measure.median(runs) { state = try? StoredStateCodec.decode(bytes) }
        guard let state else { throw UsageError(message: "\(file) does not decode as this build's engine state") }
        print("\(file): \(bytes.count) bytes stored, \(try CompactEncoder.encode(state).count) decoded; decode, median of \(runs): \(Measure.fixed(whole * 1000, 2)) ms")
        let v = state.views
        func part<T: Codable>(_ name: String, _ value: T) throws {
            let encoded = try CompactEncoder.encode(value)
            let seconds = Measure.median(runs) { _ = try? CompactDecoder.decode(T.self, from: encoded) }
            Measure.line("  \(name): \(encoded.count) bytes, decode", "\(Measure.fixed(seconds * 1000, 2)) ms")
        }
        try part("alerts", v.alerts); try part("batching", v.batching); try part("breakers", v.breakers)
        try part("caches", v.caches); try part("faultTolerance", v.faultTolerance); try part("health", v.health)
        try part("heatmap", v.heatmap); try part("latency", v.latency); try part("optimization", v.optimization)
        try part("series", v.series); try part("throughput", v.throughput)
        try part("topology", v.topology); try part("vitals", v.vitals); try part("rules", state.rules)
    }
}
