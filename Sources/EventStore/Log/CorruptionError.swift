/// Damage found in a segment file, with where it is. The one error a reader or
/// recovery raises for bad bytes on disk; repair and skipping accept only this.
public struct CorruptionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable, CaseIterable {
        /// The bytes where a batch should start are not a batch magic.
        case badMagic
        /// The stored CRC32C does not match the bytes.
        case badChecksum
        /// The length field is outside the limits.
        case badLength
        /// The file ends inside a batch.
        case truncated
        /// The checksum holds but the payload does not decode to what the header says.
        case badContent
        /// A header field (codec, counts, sizes, segment header) is invalid.
        case badHeader
    }

    /// Path of the segment file.
    public let segment: String
    /// Byte position in the segment file where the damaged batch (or header) starts.
    public let position: UInt64
    public let reason: Reason
    /// A short explanation for people; holds no user data.
    public let detail: String

    public init(segment: String, position: UInt64, reason: Reason, detail: String) {
        self.segment = segment
        self.position = position
        self.reason = reason
        self.detail = detail
    }

    public var description: String {
        "damaged batch in \(segment) at byte \(position): \(reason.rawValue) (\(detail))"
    }
}
