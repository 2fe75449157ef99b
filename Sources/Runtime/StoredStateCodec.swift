import EventStore
import Projections

/// The stored form of an engine state, in checkpoints and view snapshots: `TSNP`, a
/// version byte, then one zstd frame of the state in `CompactEncoder`'s binary form.
/// Decoding JSON (`EngineStateCodec`) was three quarters of a time-travel query and
/// nearly all of a restart with a large series state; this form decodes several
/// times faster and is a fraction of the size. The file's header and checksum are
/// the checkpoint store's.
///
/// Checkpoints written before it hold `EngineStateCodec`'s JSON and are still read.
/// `EngineStateCodec` stays the canonical encoding for comparing states (sorted keys:
/// equal states, equal bytes); this one is not canonical.
public enum StoredStateCodec {
    static let magic: [UInt8] = Array("TSNP".utf8)
    static let version: UInt8 = 1
    /// The largest state believed on decode.
    public static let stateBytesMax = 1 << 30

    /// Compressed as it is written (`CompactEncoded.write`, `Zstd.compress(sizeBytes:)`):
    /// the state's bytes are never held whole. A 10,000-series state held its
    /// encoding, then a compression buffer of the same size, beside it: three times
    /// the state for every checkpoint.
    public static func encode<Views>(_ state: EngineState<Views>) throws -> [UInt8] {
        let encoded = try CompactEncoder.encoded(state)
        var content = magic + [version]
        content += try Zstd.compress(sizeBytes: encoded.sizeBytes) { emit in try encoded.write(pieceBytes: pieceBytes, emit) }
        return content
    }

    /// The pieces the encoding is compressed in.
    static let pieceBytes = 1 << 20

    public static func decode<Views>(_ content: [UInt8]) throws -> EngineState<Views> {
        guard content.count > magic.count, Array(content[0..<magic.count]) == magic else {
            // A checkpoint from before the binary form: a JSON document.
            guard content.first == UInt8(ascii: "{") else {
                throw CheckpointCodecError(operation: "decode", detail: "neither a stored state (no TSNP prefix) nor a JSON checkpoint")
            }
            return try EngineStateCodec.decode(content)
        }
        guard content[magic.count] == version else {
            throw CheckpointCodecError(operation: "decode", detail: "stored state version \(content[magic.count]); this build reads \(version)")
        }
        let state = try Zstd.decompress(Array(content[(magic.count + 1)...]), sizeBytesMax: stateBytesMax)
        return try CompactDecoder.decode(EngineState<Views>.self, from: state)
    }
}
