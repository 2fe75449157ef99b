import Synchronization

/// What a node's replication is doing, for `/metrics`, `/api/v1/log` and the refusals
/// of writes on a follower. Updated per message, read at any time.
public final class ReplicationStatus: Sendable {
    public enum Role: String, Sendable {
        case leader, follower
    }

    public struct Snapshot: Sendable, Equatable {
        public var role: Role
        public var stream: String
        public var connected = false
        /// Leader: the offset after the last event JetStream acknowledged.
        /// Follower: the offset after the last event applied from the stream.
        public var streamEndOffset: UInt64 = 0
        /// The stream sequence of the last message published or applied.
        public var lastSequence: UInt64 = 0
        public var messages: UInt64 = 0
        public var errors: UInt64 = 0
        public var lastError: String?
        /// A follower: the leader's HTTP address, from the last message that named it.
        public var leaderURL: String?
    }

    private let state: Mutex<Snapshot>

    public init(role: Role, stream: String) {
        state = Mutex(Snapshot(role: role, stream: stream))
    }

    public func snapshot() -> Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) { state.withLock { body(&$0) } }

    func recordError(_ error: any Error) {
        state.withLock {
            $0.errors += 1
            $0.lastError = "\(error)"
        }
    }
}
