/// Why a batch payload (or its LZ4 block) could not be decoded.
///
/// Raised instead of crashing or returning garbage whenever the bytes are not what
/// `BatchCodec.encode` wrote: a damaged or truncated payload, an unknown encoding
/// code, counts that disagree. The log treats it like a checksum failure: the batch
/// is lost, the ones around it are not.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte position in the payload (the uncompressed bytes, or the compressed block
    /// for LZ4 errors) where decoding stopped.
    public let byteOffset: Int
    /// What was wrong, for an operator: which section and which check.
    public let reason: String

    public init(byteOffset: Int, reason: String) {
        self.byteOffset = byteOffset
        self.reason = reason
    }

    public var description: String {
        "batch payload undecodable at byte \(byteOffset): \(reason) (the batch is damaged; skip it or restore the segment)"
    }
}
