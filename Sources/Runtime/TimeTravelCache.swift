import Projections
import Synchronization

/// Recent in-memory fold states at known prefixes of the log, so that scrubbing a
/// timeline (the live host's `?at=`, a replay's seeks) folds a short stretch of log
/// instead of starting from a checkpoint or the range's start.
/// Least recently used entries go first once `entriesMax` is reached.
public final class TimeTravelCache<Value: Sendable>: Sendable {
    public struct Entry: Sendable {
        public let value: Value
        /// The offset after the prefix the value covers.
        public let nextOffset: UInt64
        public let eventTimeNs: Int64?
        var lastUsed: UInt64
    }

    private struct State: ~Copyable {
        var entries: [Entry] = []
        var tick: UInt64 = 0
    }

    private let state = Mutex(State())
    public let entriesMax: Int

    public init(entriesMax: Int) {
        precondition(entriesMax > 0, "the cache needs room for one entry")
        self.entriesMax = entriesMax
    }

    /// The entry covering the longest prefix whose events are all at or before `timeNs`.
    public func best(atOrBeforeNs timeNs: Int64) -> Entry? {
        state.withLock { state in
            var bestIndex: Int?
            for (index, entry) in state.entries.enumerated() where (entry.eventTimeNs ?? .min) <= timeNs {
                if bestIndex.map({ entry.nextOffset > state.entries[$0].nextOffset }) ?? true { bestIndex = index }
            }
            guard let bestIndex else { return nil }
            state.tick += 1
            state.entries[bestIndex].lastUsed = state.tick
            return state.entries[bestIndex]
        }
    }

    public func insert(_ value: Value, nextOffset: UInt64, eventTimeNs: Int64?) {
        state.withLock { state in
            state.tick += 1
            if let index = state.entries.firstIndex(where: { $0.nextOffset == nextOffset }) {
                state.entries[index].lastUsed = state.tick
                return
            }
            if state.entries.count == entriesMax, let oldest = state.entries.indices.min(by: { state.entries[$0].lastUsed < state.entries[$1].lastUsed }) {
                state.entries.remove(at: oldest)
            }
            state.entries.append(Entry(value: value, nextOffset: nextOffset, eventTimeNs: eventTimeNs, lastUsed: state.tick))
            assert(state.entries.count <= entriesMax)
        }
    }

    public var count: Int { state.withLock { $0.entries.count } }
}
