import ArgumentParser
import EventStore
import Replication

/// Rebuilds a data directory from a leader's JetStream stream (a node whose disk was
/// lost), then exits: what `tacho serve --follow` does before it serves.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Rebuild a data directory from a NATS JetStream stream, up to its last message, and exit.",
        discussion: """
            An empty directory gets the stream from its first retained message, at the leader's offsets; \
            a directory that already holds part of the stream continues from its end. Serve the result \
            with `tacho serve --data DIR` (as a new leader) or `--follow` (as a follower).
            """)

    @Option(name: .long, help: ArgumentHelp("The NATS cluster's URLs, comma-separated.", valueName: "urls"))
    var from: String

    @Option(name: .customLong("replicate-stream"), help: "The JetStream stream.")
    var stream: String = "TACHO"

    @Option(
        name: .customLong("unavailable-wait-ms"),
        help: "How long to keep retrying while the cluster cannot answer (a stream leader being elected) before failing.")
    var unavailableWaitMs: Int = ReplicationOptions(urls: []).unavailableWaitMs

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        var options = ReplicationOptions(urls: ReplicationArguments.urls(from))
        options.stream = stream
        options.unavailableWaitMs = unavailableWaitMs
        if let problem = options.problem() { throw ValidationError(problem) }
        let log: EventLog
        do { log = try EventLog.open(directory: dataOptions.data) } catch {
            throw CommandFailure("cannot open \(dataOptions.data): \(error)")
        }
        let before = log.highWaterMark
        let follower: LogFollower
        do { follower = try LogFollower(log: log, options: options) } catch {
            try? await log.close()
            throw CommandFailure("\(error)")
        }
        let restored: UInt64
        do {
            restored = try await follower.catchUp()
        } catch {
            await follower.shutdown()
            try? await log.close()
            if case ReplicationError.nats = error {
                throw CommandFailure("restore from stream \(stream) failed: \(error) (the cluster did not answer for \(unavailableWaitMs) ms; a longer --unavailable-wait-ms waits out a longer outage)")
            }
            throw CommandFailure("restore from stream \(stream) failed: \(error)")
        }
        await follower.shutdown()
        do { try await log.close() } catch { throw CommandFailure("closing \(dataOptions.data) failed: \(error)") }
        print("restored \(restored) events from stream \(stream) into \(dataOptions.data) (the log now ends at offset \(log.highWaterMark), it ended at \(before))")
    }
}
