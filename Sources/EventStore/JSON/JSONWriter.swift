/// Appends compact JSON to a byte buffer, keys in the order written, so output is
/// deterministic and byte-comparable.
public struct JSONWriter {
    public var bytes: [UInt8] = []
    private var needsComma: [Bool] = [false]

    public init(reservingCapacity: Int = 256) {
        bytes.reserveCapacity(reservingCapacity)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }

    public mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }

    public mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes a member name; the next value written is its value.
    public mutating func key(_ name: String) {
        separate()
        writeQuoted(name)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    public mutating func value(_ text: String) {
        separate()
        writeQuoted(text)
    }

    public mutating func value(_ number: Double) {
        separate()
        if !number.isFinite {
            // JSON has no NaN or infinity. Ingest refuses them, but a computed figure
            // (a ratio over nothing) or a forged batch may hold one: `null`, as
            // JavaScript's JSON.stringify writes it, rather than stopping the server.
            bytes.append(contentsOf: "null".utf8)
        } else if number == 0, number.sign == .minus {
            // "-0" would read back as the integer 0; the sign of a stored -0.0 is kept.
            bytes.append(contentsOf: "-0.0".utf8)
        } else if number == number.rounded(), abs(number) < 1e15 {
            bytes.append(contentsOf: String(Int64(number)).utf8)
        } else {
            bytes.append(contentsOf: number.description.utf8)
        }
    }

    public mutating func value(_ number: Int64) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
    }

    public mutating func value(_ number: UInt64) {
        separate()
        bytes.append(contentsOf: String(number).utf8)
    }

    public mutating func value(_ flag: Bool) {
        separate()
        bytes.append(contentsOf: (flag ? "true" : "false").utf8)
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Ends a top-level value with a newline (NDJSON); the next value starts a new line.
    public mutating func newline() {
        precondition(needsComma.count == 1, "newline inside an object or array")
        bytes.append(0x0A)
        needsComma[0] = false
    }

    /// Inserts already-serialised JSON as the next value.
    public mutating func raw(_ json: String) {
        separate()
        bytes.append(contentsOf: json.utf8)
    }

    /// Writes the next value's bytes with `write`, which must append one complete,
    /// valid JSON value: for a caller that spells many of them (a query's samples)
    /// without a string each.
    public mutating func rawValue(_ write: (inout [UInt8]) -> Void) {
        separate()
        write(&bytes)
    }

    public mutating func member(_ name: String, _ text: String) { key(name); value(text) }
    public mutating func member(_ name: String, _ number: Double) { key(name); value(number) }
    public mutating func member(_ name: String, _ number: Int64) { key(name); value(number) }
    public mutating func member(_ name: String, _ number: UInt64) { key(name); value(number) }
    public mutating func member(_ name: String, _ flag: Bool) { key(name); value(flag) }

    private mutating func separate() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func writeQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most strings (names, labels, numbers) need no escape: copied whole.
        let copied: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
            guard !utf8.contains(where: Self.needsEscape) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            // `<` is escaped so JSON embedded in a page can never close a script element.
            case UInt8(ascii: "<"): bytes.append(contentsOf: Array("\\u003c".utf8))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "<")
    }
}
