import EventStore
import Projections

/// Where the host keeps checkpoints: the only I/O Projections does, behind this
/// protocol. `FileCheckpointStore` (EventStore) is the real one.
///
/// Implementations must guarantee: `save` is atomic (a reader or a crash sees the old
/// checkpoint or the new one, never a mix); `load` returns exactly the bytes saved or
/// throws `.damaged`; `list` orders checkpoints newest (highest `nextOffset`) first
/// and reports rather than throws for a damaged header.
public protocol CheckpointStore: Sendable {
    func list() throws(CheckpointStoreError) -> CheckpointListing
    func load(_ info: CheckpointInfo) throws(CheckpointStoreError) -> [UInt8]
    @discardableResult
    func save(_ content: [UInt8], nextOffset: UInt64, eventTimeNs: Int64?) throws(CheckpointStoreError) -> CheckpointInfo
    /// Keeps the newest `count` and removes older ones; returns the names removed.
    @discardableResult
    func prune(keepingNewest count: Int) throws(CheckpointStoreError) -> [String]
    /// Removes one checkpoint; one already gone counts as removed.
    func remove(_ info: CheckpointInfo) throws(CheckpointStoreError)
}

extension FileCheckpointStore: CheckpointStore {}
