import EventStore
import Hummingbird
import Logging
import Replication
import ServiceLifecycle

/// This server's place in a replicated deployment (`--replicate`, `--follow`).
public enum ReplicationRole: Sendable, Equatable {
    /// Publishes every committed batch to the stream.
    case leader(ReplicationOptions)
    /// Builds its log from the stream and refuses writes.
    case follower(ReplicationOptions)

    public var options: ReplicationOptions {
        switch self {
        case .leader(let options), .follower(let options): options
        }
    }
}

/// The running side of a role: the leader's publisher or the follower's applier.
public enum ReplicationNode: Sendable {
    case leader(LogPublisher)
    case follower(LogFollower)

    public var status: ReplicationStatus {
        switch self {
        case .leader(let publisher): publisher.status
        case .follower(let follower): follower.status
        }
    }

    /// Connects and, for a leader, checks the stream against the local log (a leader
    /// whose stream holds offsets its directory lacks must not start).
    static func start(_ role: ReplicationRole, log: EventLog, logger: Logger) async throws -> ReplicationNode {
        switch role {
        case .leader(let options):
            let publisher = try LogPublisher(log: log, options: options, logger: logger)
            do { _ = try await publisher.prepare() } catch {
                await publisher.shutdown()
                throw error
            }
            return .leader(publisher)
        case .follower(let options):
            return .follower(try LogFollower(log: log, options: options, logger: logger))
        }
    }

    /// The service that publishes or applies until graceful shutdown.
    var service: ReplicationService { ReplicationService(node: self) }
}

/// Runs the publisher or the follower until graceful shutdown. It stops after the
/// HTTP server (a replicated acknowledgement still waiting is answered) and before
/// the engine closes the log.
struct ReplicationService: Service {
    let node: ReplicationNode

    func run() async throws {
        switch node {
        case .leader(let publisher):
            await cancelWhenGracefulShutdown { await publisher.run() }
            await publisher.shutdown()
        case .follower(let follower):
            await cancelWhenGracefulShutdown { await follower.run() }
            await follower.shutdown()
        }
    }
}

/// Every local write of a server goes through here: ingest, acknowledgements, the
/// collector, the demo. A standalone server appends; a leader under
/// `--replicate-ack replicated` also waits for JetStream; a follower refuses (409,
/// naming the leader when known).
struct NodeAppender: EventAppending {
    let engine: Engine
    let node: ReplicationNode?

    func append(_ events: [Event]) async throws -> ClosedRange<UInt64> {
        switch node {
        case nil:
            return try await engine.append(events)
        case .leader(let publisher):
            let offsets = try await engine.append(events)
            guard publisher.options.acknowledgement == .replicated else { return offsets }
            do { try await publisher.waitReplicated(through: offsets.upperBound) } catch {
                throw APIError(.serviceUnavailable, error: "not replicated", detail: "\(error)", headers: [.retryAfter: "1"])
            }
            return offsets
        case .follower(let follower):
            let leader = follower.status.snapshot().leaderURL
            throw APIError(
                .conflict, error: "read-only follower",
                detail: "this node follows stream \(follower.options.stream) and takes no writes; send them to the leader"
                    + (leader.map { " at \($0)" } ?? " (its address is not known yet)"),
                headers: leader.map { [.location: $0] } ?? [:])
        }
    }
}
