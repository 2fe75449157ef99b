import Synchronization

/// Recent fold states of the replayed range, so that seeking back and `?at=` reads fold a
/// short stretch of log instead of the range from its start. Least recently used
/// entries go first once `entriesMax` is reached.
final class ReplaySnapshotCache: Sendable {
    private struct Entry {
        let state: ReplayFoldState
        var lastUsed: UInt64
    }

    private struct Entries: ~Copyable {
        var list: [Entry] = []
        var tick: UInt64 = 0
    }

    private let entries = Mutex(Entries())
    let entriesMax: Int

    init(entriesMax: Int) {
        precondition(entriesMax > 0, "the cache needs room for one entry")
        self.entriesMax = entriesMax
    }

    /// The state covering the longest prefix whose events are all at or before `timeNs`.
    func best(atOrBeforeNs timeNs: Int64) -> ReplayFoldState? {
        entries.withLock { entries in
            var bestIndex: Int?
            for (index, entry) in entries.list.enumerated() where (entry.state.eventTimeNs ?? .min) <= timeNs {
                if bestIndex.map({ entry.state.position > entries.list[$0].state.position }) ?? true { bestIndex = index }
            }
            guard let bestIndex else { return nil }
            entries.tick += 1
            entries.list[bestIndex].lastUsed = entries.tick
            return entries.list[bestIndex].state
        }
    }

    func insert(_ state: ReplayFoldState) {
        entries.withLock { entries in
            entries.tick += 1
            if let index = entries.list.firstIndex(where: { $0.state.position == state.position }) {
                entries.list[index].lastUsed = entries.tick
                return
            }
            if entries.list.count == entriesMax,
               let oldest = entries.list.indices.min(by: { entries.list[$0].lastUsed < entries.list[$1].lastUsed }) {
                entries.list.remove(at: oldest)
            }
            entries.list.append(Entry(state: state, lastUsed: entries.tick))
        }
    }

    var count: Int { entries.withLock { $0.list.count } }
}
