import EventStore
import Synchronization

/// Series keys of remote-write label sets already seen, by the labels' encoded bytes,
/// as Prometheus's head finds a series by its labels' hash: a sender repeats the same
/// series in every request, and building a key (strings validated, sorted, hashed) for
/// each of them every time is most of the decoding. Only label sets that passed the
/// checks are kept, so a hit needs none. Bounded: when `entriesMax` is reached the
/// cache starts over.
final class SeriesKeyCache: Sendable {
    static let entriesMaxDefault = 200_000

    struct Bytes: Hashable, Sendable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    let entriesMax: Int
    private let entries = Mutex([Bytes: (name: String, key: SeriesKey)]())

    init(entriesMax: Int = SeriesKeyCache.entriesMaxDefault) {
        precondition(entriesMax > 0, "the cache holds at least one entry")
        self.entriesMax = entriesMax
    }

    func lookup(_ labelBytes: [UInt8]) -> (name: String, key: SeriesKey)? {
        let bytes = Bytes(bytes: labelBytes)
        return entries.withLock { $0[bytes] }
    }

    func insert(_ labelBytes: [UInt8], name: String, key: SeriesKey) {
        entries.withLock {
            if $0.count >= entriesMax { $0.removeAll(keepingCapacity: true) }
            $0[Bytes(bytes: labelBytes)] = (name, key)
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
