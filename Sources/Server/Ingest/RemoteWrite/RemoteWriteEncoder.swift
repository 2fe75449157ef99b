/// Writes a remote-write 1.0 `WriteRequest` in the protobuf wire format, as a sender's
/// generated code does: the load generator's payloads (and a reference for the decoder).
public enum RemoteWriteEncoder {
    public struct Series: Sendable {
        public var labels: [(String, String)]
        public var samples: [(value: Double, timestampMs: Int64)]

        public init(labels: [(String, String)], samples: [(value: Double, timestampMs: Int64)]) {
            self.labels = labels
            self.samples = samples
        }
    }

    /// The protobuf bytes of a `WriteRequest` holding `series` (uncompressed).
    public static func encode(_ series: [Series]) -> [UInt8] {
        var request: [UInt8] = []
        var message: [UInt8] = []
        var inner: [UInt8] = []
        for one in series {
            message.removeAll(keepingCapacity: true)
            for (name, value) in one.labels {
                inner.removeAll(keepingCapacity: true)
                lengthDelimited(1, Array(name.utf8), to: &inner)
                lengthDelimited(2, Array(value.utf8), to: &inner)
                lengthDelimited(1, inner, to: &message)
            }
            for sample in one.samples {
                inner.removeAll(keepingCapacity: true)
                inner.append(1 << 3 | 1)
                var bits = sample.value.bitPattern
                for _ in 0..<8 {
                    inner.append(UInt8(truncatingIfNeeded: bits))
                    bits >>= 8
                }
                inner.append(2 << 3 | 0)
                varint(UInt64(bitPattern: sample.timestampMs), to: &inner)
                lengthDelimited(2, inner, to: &message)
            }
            lengthDelimited(1, message, to: &request)
        }
        return request
    }

    private static func varint(_ value: UInt64, to bytes: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    private static func lengthDelimited(_ field: UInt64, _ payload: [UInt8], to bytes: inout [UInt8]) {
        varint(field << 3 | 2, to: &bytes)
        varint(UInt64(payload.count), to: &bytes)
        bytes += payload
    }
}
