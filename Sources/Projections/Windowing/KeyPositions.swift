/// Where each of a `BoundedKeyTable`'s keys sits, found by a word-at-a-time hash of
/// its UTF-8 bytes in an open-addressed table: every operation event looks up its name
/// and protocol in four tables, and `Dictionary`'s seeded SipHash per lookup was a
/// tenth of the demo fold.
///
/// Only ASCII keys are hashed by their bytes. A key with other characters may equal a
/// key of other bytes (Swift compares strings by canonical equivalence: "\u{212A}" is
/// "K"), so such keys are kept aside and found by comparison, and a key of other
/// characters is compared with every key: rare, and a table holds at most
/// `maxKeys + 1`. The hash is not seeded, so names could be chosen to collide; the
/// same bound holds.
///
/// Derived from the keys alone: rebuilt when they change, never stored or compared.
struct KeyPositions: Sendable {
    /// Position + 1 of the ASCII key hashed to each slot; 0 for an empty slot.
    private var slots: [Int32] = []
    private var mask = 0
    /// Positions of the keys that are not all ASCII.
    private var others: [Int] = []

    /// The position of `key` in `keys`, the array this was last rebuilt from.
    @inline(__always)
    func position(of key: String, in keys: [String]) -> Int? {
        guard let hash = Self.asciiHash(key) else { return keys.firstIndex(of: key) }
        if !slots.isEmpty {
            var slot = hash & mask
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { break }
                if keys[entry - 1] == key { return entry - 1 }
                slot = (slot + 1) & mask
            }
        }
        return others.first { keys[$0] == key }
    }

    /// Indexes `keys` (unique) at their positions, at most half the slots filled.
    mutating func rebuild(_ keys: [String]) {
        precondition(keys.count < Int(Int32.max), "a key table holds fewer than 2^31 keys")
        var capacity = 8
        while capacity < 2 * keys.count { capacity <<= 1 }
        slots = Array(repeating: 0, count: capacity)
        mask = capacity - 1
        others = []
        for (position, key) in keys.enumerated() {
            guard let hash = Self.asciiHash(key) else {
                others.append(position)
                continue
            }
            var slot = hash & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(position + 1)
        }
    }

    /// Eight bytes at a time, each mixed in by a multiplication, then the high bits
    /// folded down so that `& mask` sees them; nil for a key that is not all ASCII.
    @inline(__always)
    static func asciiHash(_ key: String) -> Int? {
        var key = key
        return key.withUTF8 { bytes -> Int? in
            let raw = UnsafeRawBufferPointer(bytes)
            var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
            var highBits: UInt64 = 0
            var offset = 0
            while offset + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                highBits |= word
                h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
                offset += 8
            }
            if offset < raw.count {
                var tail: UInt64 = 0
                for index in offset..<raw.count { tail = tail << 8 | UInt64(raw[index]) }
                highBits |= tail
                h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
            }
            guard highBits & 0x8080_8080_8080_8080 == 0 else { return nil }
            h ^= h >> 29
            return Int(truncatingIfNeeded: h ^ (h >> 32))
        }
    }
}
