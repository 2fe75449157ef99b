import EventStore
import Foundation
import Projections
import Runtime

/// The engine state as a checkpoint: encoded size, encode time, write time through
/// `FileCheckpointStore` (temporary file, fsync, rename), and decode time, in the
/// stored binary form (`StoredStateCodec`) and beside it the JSON one
/// (`EngineStateCodec`, what checkpoints held before).
enum CheckpointBench {
    enum Codec: String, CaseIterable {
        case stored = "binary"
        case json = "JSON"

        func encode(_ state: EngineState<ProjectionSet>) throws -> [UInt8] {
            switch self {
            case .stored: try StoredStateCodec.encode(state)
            case .json: try EngineStateCodec.encode(state)
            }
        }

        func decode(_ bytes: [UInt8]) throws -> EngineState<ProjectionSet> {
            switch self {
            case .stored: try StoredStateCodec.decode(bytes)
            case .json: try EngineStateCodec.decode(bytes)
            }
        }
    }

    struct Result {
        var sizeBytes: Int
        var encodeSeconds: Double
        var writeSeconds: Double
        var decodeSeconds: Double
    }

    static func run(_ state: EngineState<ProjectionSet>, codec: Codec, runs: Int) throws -> Result {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tacho-foldbench-checkpoint-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try FileCheckpointStore(directory: directory)
        let clock = ContinuousClock()
        var encode: [Double] = []
        var write: [Double] = []
        var decode: [Double] = []
        var bytes: [UInt8] = []
        for run in 0..<runs {
            var encoded: [UInt8] = []
            encode.append(Measure.seconds(try clock.measure { encoded = try codec.encode(state) }))
            bytes = encoded
            write.append(Measure.seconds(try clock.measure {
                _ = try store.save(encoded, nextOffset: state.nextOffset + UInt64(run), eventTimeNs: state.eventTimeNs)
            }))
            var decoded: EngineState<ProjectionSet>?
            decode.append(Measure.seconds(try clock.measure {
                decoded = try codec.decode(encoded)
            }))
            precondition(decoded?.nextOffset == state.nextOffset, "the decoded checkpoint must cover what was encoded")
            try store.prune(keepingNewest: 1)
        }
        return Result(
            sizeBytes: bytes.count, encodeSeconds: Measure.median(encode), writeSeconds: Measure.median(write),
            decodeSeconds: Measure.median(decode))
    }
}
