/// Where and how the log is replicated (`--replicate`, `--follow`, `tacho restore`).
public struct ReplicationOptions: Sendable, Equatable {
    public enum Acknowledgement: String, Sendable, CaseIterable {
        /// Ingest is answered after the local write; the publisher follows behind.
        case local
        /// Ingest is answered once JetStream stored the batch on a majority of replicas.
        case replicated
    }

    /// NATS server URLs (`nats://host:port`); the client learns the rest of the cluster.
    public var urls: [String]
    /// The JetStream stream (created if absent); its name is the stream's identity.
    public var stream: String = "TACHO"
    public var acknowledgement: Acknowledgement = .local
    /// Copies JetStream keeps of each message when it creates the stream.
    public var replicas: Int = 3
    /// How long a `replicated` ingest waits for JetStream before answering 503.
    public var ackTimeoutMs: Int = 10_000
    /// How long one NATS request (publish ack, stream info, message get) may take.
    public var requestTimeoutMs: Int = 5_000
    /// How long `tacho restore` keeps retrying while the cluster cannot answer (a stream
    /// leader being elected after a node was lost, a node restarting) before it fails.
    public var unavailableWaitMs: Int = 60_000
    /// A message's bytes at most, below the server's `max_payload` (1 MiB by default):
    /// batch frames are packed into messages up to it and larger frames re-encoded.
    public var messageBytesMax: Int = 1 << 20
    /// JetStream's de-duplication window for message ids (a retried publish is stored once).
    public var duplicateWindowMs: Int = 120_000
    /// This node's HTTP address, sent with each message so followers can name the
    /// leader in their refusals of writes.
    public var advertisedURL: String?

    public init(urls: [String]) {
        self.urls = urls
    }

    /// The subject the stream captures.
    public var subject: String { "tacho.log.\(stream)" }

    /// The NATS URLs as the client takes them.
    public var urlList: String { urls.joined(separator: ",") }

    /// The de-duplication id of the message whose first event has `baseOffset`.
    public func messageID(baseOffset: UInt64) -> String { "\(stream):\(baseOffset)" }

    /// Why these options cannot work, or nil.
    public func problem() -> String? {
        if urls.isEmpty { return "no NATS URL given" }
        for url in urls where !(url.hasPrefix("nats://") || url.hasPrefix("tls://")) || url.count <= "nats://".count {
            return "'\(url)' is not a NATS URL (nats://host:port)"
        }
        if stream.isEmpty || stream.utf8.count > 64
            || !stream.unicodeScalars.allSatisfy({ ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || $0 == "_" || $0 == "-" }) {
            return "stream name '\(stream)' must be 1–64 letters, digits, '_' or '-'"
        }
        if !(1...5).contains(replicas) { return "replicas must be 1 to 5 (JetStream's limit)" }
        if ackTimeoutMs < 1 { return "the ack timeout must be positive" }
        if requestTimeoutMs < 1 { return "the request timeout must be positive" }
        if unavailableWaitMs < 0 { return "the wait for an unavailable cluster cannot be negative" }
        if messageBytesMax < 4096 { return "messages must allow at least 4096 bytes" }
        if duplicateWindowMs < 1 { return "the de-duplication window must be positive" }
        return nil
    }
}
