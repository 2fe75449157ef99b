import ArgumentParser
import Replication
import Server

/// The replication flags of `tacho serve` (and the stream flags of `tacho restore`).
struct ReplicationArguments: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Publish every committed batch to a NATS JetStream stream: the cluster's URLs, comma-separated (nats://h1:4222,nats://h2:4222).",
        valueName: "urls"))
    var replicate: String?

    @Option(name: .long, help: ArgumentHelp(
        "Serve read-only, building the data directory from a leader's stream: the cluster's URLs, comma-separated.", valueName: "urls"))
    var follow: String?

    @Option(name: .customLong("replicate-stream"), help: ArgumentHelp(
        "The JetStream stream (created with --replicate-replicas copies if absent). With --follow, several comma-separated: the node follows each (its own log under DATA/streams/) and serves their views merged.",
        valueName: "stream"))
    var stream: String = "TACHO"

    @Option(name: .customLong("replicate-ack"), help: ArgumentHelp(
        "When ingest is answered: local (after the local write; the publisher follows) or replicated (once JetStream holds the batch).",
        valueName: "local|replicated"))
    var ack: String = "local"

    @Option(name: .customLong("replicate-ack-timeout"), help: "How long a replicated ingest waits for JetStream before answering 503 (e.g. 10s).")
    var ackTimeout: String = "10s"

    @Option(name: .customLong("replicate-replicas"), help: "Copies JetStream keeps of each message, when it creates the stream (1–5).")
    var replicas: Int = 3

    @Option(name: .customLong("advertise-url"), help: "This leader's HTTP address, named by followers when they refuse a write.")
    var advertiseURL: String?

    static func urls(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The streams named by --replicate-stream, in order.
    var streams: [String] { Self.urls(stream) }

    func options(urls text: String, stream: String) throws -> ReplicationOptions {
        var options = ReplicationOptions(urls: Self.urls(text))
        options.stream = stream
        guard let acknowledgement = ReplicationOptions.Acknowledgement(rawValue: ack.lowercased()) else {
            throw ValidationError("--replicate-ack '\(ack)' is not one of local, replicated")
        }
        options.acknowledgement = acknowledgement
        options.ackTimeoutMs = try ServeCommand.timeoutMs(ackTimeout, flag: "--replicate-ack-timeout")
        options.replicas = replicas
        options.advertisedURL = advertiseURL
        if let problem = options.problem() { throw ValidationError(problem) }
        return options
    }

    /// The single stream of a leader, a follower of one stream or `tacho restore`.
    func singleStream() throws -> String {
        guard streams.count == 1 else {
            throw ValidationError("--replicate-stream '\(stream)': name one stream here (several only with --follow)")
        }
        return streams[0]
    }

    /// With --follow and several streams: each stream's options (one log each, views
    /// merged); nil otherwise.
    func followedShards() throws -> [ReplicationOptions]? {
        guard let follow, streams.count > 1 else { return nil }
        return try streams.map { try options(urls: follow, stream: $0) }
    }

    /// The node's role from the flags; nil when neither --replicate nor --follow is
    /// given, or when --follow names several streams (`followedShards()`).
    func role() throws -> ReplicationRole? {
        switch (replicate, follow) {
        case (nil, nil): return nil
        case (let urls?, nil): return .leader(try options(urls: urls, stream: try singleStream()))
        case (nil, let urls?):
            if streams.count > 1 { return nil }
            return .follower(try options(urls: urls, stream: try singleStream()))
        case (.some, .some): throw ValidationError("--replicate and --follow exclude each other: a node leads a stream or follows one")
        }
    }
}
