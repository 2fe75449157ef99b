import Synchronization

/// Recent in-memory states of the views at known prefixes, so that scrubbing a
/// timeline replays a short stretch of log instead of starting from a checkpoint.
/// Least recently used entries go first once `entriesMax` is reached.
final class TimeTravelCache<Views: Projection>: Sendable {
    struct Entry: Sendable {
        let views: Views
        let nextOffset: UInt64
        let eventTimeNs: Int64?
        var lastUsed: UInt64
    }

    private struct State: ~Copyable {
        var entries: [Entry] = []
        var tick: UInt64 = 0
    }

    private let state = Mutex(State())
    let entriesMax: Int

    init(entriesMax: Int) {
        precondition(entriesMax > 0, "the cache needs room for one entry")
        self.entriesMax = entriesMax
    }

    /// The entry covering the longest prefix whose events are all at or before `timeNs`.
    func best(atOrBeforeNs timeNs: Int64) -> Entry? {
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

    func insert(views: Views, nextOffset: UInt64, eventTimeNs: Int64?) {
        state.withLock { state in
            state.tick += 1
            if let index = state.entries.firstIndex(where: { $0.nextOffset == nextOffset }) {
                state.entries[index].lastUsed = state.tick
                return
            }
            if state.entries.count == entriesMax, let oldest = state.entries.indices.min(by: { state.entries[$0].lastUsed < state.entries[$1].lastUsed }) {
                state.entries.remove(at: oldest)
            }
            state.entries.append(Entry(views: views, nextOffset: nextOffset, eventTimeNs: eventTimeNs, lastUsed: state.tick))
            assert(state.entries.count <= entriesMax)
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
