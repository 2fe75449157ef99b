/// What went wrong replicating the log through NATS JetStream, with what to do.
public enum ReplicationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A call to the NATS client failed: `operation` names it, `detail` is the client's reason.
    case nats(operation: String, detail: String, jetStreamCode: Int)
    /// The stream already holds offsets past the local log's end: this directory is
    /// not the stream's writer (a lost disk, or another leader).
    case streamAhead(stream: String, streamEnd: UInt64, localEnd: UInt64)
    /// The stream holds other events than the local log at the same offsets: another
    /// node wrote the stream while this one was cut off.
    case diverged(stream: String, fromOffset: UInt64, toOffset: UInt64)
    /// A message of the stream is not a run of intact Tacho batch frames.
    case badMessage(stream: String, sequence: UInt64, detail: String)
    /// The stream misses offsets between what this node holds and what it delivers.
    case gap(stream: String, expected: UInt64, found: UInt64)
    /// The local log refused a replicated batch.
    case localLog(String)
    /// JetStream did not acknowledge the events within the ack timeout (they are in the local log).
    case notReplicated(throughOffset: UInt64, timeoutMs: Int)
    /// Options that cannot work.
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .nats(let operation, let detail, let code):
            "NATS \(operation) failed: \(detail)\(code != 0 ? " (JetStream error code \(code))" : "")"
        case .streamAhead(let stream, let streamEnd, let localEnd):
            "stream \(stream) holds offsets up to \(streamEnd) but this data directory ends at \(localEnd): it is not the stream's writer; rebuild it with `tacho restore --from URLS --data DIR` or serve it with --follow"
        case .diverged(let stream, let from, let to):
            "stream \(stream) holds other events than this data directory at offsets \(from)..<\(to): another leader wrote it; this node must not publish: rebuild it from the stream (`tacho restore` into an empty directory) and serve it with --follow"
        case .badMessage(let stream, let sequence, let detail):
            "stream \(stream), message \(sequence): not Tacho batch frames: \(detail)"
        case .gap(let stream, let expected, let found):
            "stream \(stream) continues at offset \(found) but this node needs offset \(expected) next: the stream no longer holds the offsets in between (its limits removed them); rebuild this node into an empty directory"
        case .localLog(let detail): "the local log refused a replicated batch: \(detail)"
        case .notReplicated(let offset, let timeoutMs):
            "the events are in the local log (through offset \(offset)) but JetStream did not acknowledge them within \(timeoutMs) ms; they will be published when NATS answers; a retry of this request would store them twice"
        case .invalidOptions(let detail): "replication options: \(detail)"
        }
    }
}

extension ReplicationError {
    /// Errors no retry can fix: publishing would write another history into the stream.
    var stopsPublishing: Bool {
        switch self {
        case .streamAhead, .diverged: true
        default: false
        }
    }
}
