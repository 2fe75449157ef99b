import CNATS

/// A connection to a NATS cluster and its JetStream context: the few calls Tacho
/// needs, over the official C client (`libnats`).
///
/// Every method blocks its thread on network round trips: call them only from a
/// `BlockingWorker`, never from Swift's cooperative pool. The client runs its own
/// threads for reading, reconnecting and heartbeats; it is thread-safe.
final class NATSJetStream: @unchecked Sendable {
    struct StreamState: Sendable, Equatable {
        var firstSequence: UInt64
        var lastSequence: UInt64
        var messages: UInt64
        var replicas: Int
    }

    struct StoredMessage: Sendable {
        let sequence: UInt64
        let data: [UInt8]
        let messageID: String?
        let leader: String?
    }

    /// JetStream's error code for a publish whose expected last message id did not match.
    static let wrongLastMessageIDCode = 10070

    private let connection: OpaquePointer
    private let context: OpaquePointer
    let urls: String

    /// Connects to any of `urls` (comma separated). With `retryFirstConnect`, returns at
    /// once even when no server answers yet and connects in the background.
    init(urls: String, name: String, requestTimeoutMs: Int, retryFirstConnect: Bool) throws(ReplicationError) {
        self.urls = urls
        var connection: OpaquePointer?
        try Self.call("connect to \(urls)") { error, size in
            tacho_nats_connect(&connection, urls, name, Int64(requestTimeoutMs), retryFirstConnect, error, size)
        }
        guard let connection else { throw .nats(operation: "connect to \(urls)", detail: "no connection", jetStreamCode: 0) }
        var context: OpaquePointer?
        do {
            try Self.call("JetStream context") { error, size in tacho_js_context(&context, connection, Int64(requestTimeoutMs), error, size) }
        } catch {
            natsConnection_Destroy(connection)
            throw error
        }
        self.connection = connection
        self.context = context!
    }

    deinit {
        jsCtx_Destroy(context)
        natsConnection_Close(connection)
        natsConnection_Destroy(connection)
    }

    /// The largest message the connected server accepts; 0 while not connected.
    var maxPayloadBytes: Int { Int(natsConnection_GetMaxPayload(connection)) }

    var isConnected: Bool { natsConnection_Status(connection) == NATS_CONN_STATUS_CONNECTED }

    /// Throws at once while no server is connected (the client keeps trying in the
    /// background), rather than letting a request wait out its timeout.
    func requireConnected() throws(ReplicationError) {
        guard isConnected else {
            throw .nats(operation: "reach \(urls)", detail: "no NATS server is connected yet (the client keeps trying)", jetStreamCode: 0)
        }
    }

    /// The stream's sequences, or nil when it does not exist.
    func streamState(_ stream: String) throws(ReplicationError) -> StreamState? {
        var found = false
        var first: UInt64 = 0, last: UInt64 = 0, messages: UInt64 = 0
        var replicas: Int64 = 0
        try Self.call("stream info of \(stream)") { error, size in
            tacho_js_stream_state(context, stream, &found, &first, &last, &messages, &replicas, error, size)
        }
        return found ? StreamState(firstSequence: first, lastSequence: last, messages: messages, replicas: Int(replicas)) : nil
    }

    func addStream(_ stream: String, subject: String, replicas: Int, maxMessageBytes: Int, duplicateWindowNs: Int64) throws(ReplicationError) {
        try Self.call("create stream \(stream) (\(replicas) replicas)") { error, size in
            tacho_js_add_stream(context, stream, subject, Int64(replicas), Int32(clamping: maxMessageBytes), duplicateWindowNs, error, size)
        }
    }

    /// Publishes and waits for JetStream's acknowledgement (stored on a majority of the
    /// stream's replicas). Returns the stream sequence and whether it was a duplicate.
    func publish(
        subject: String, data: [UInt8], messageID: String, expectLastMessageID: String?, leader: String?, waitMs: Int
    ) throws(ReplicationError) -> (sequence: UInt64, duplicate: Bool) {
        var sequence: UInt64 = 0
        var duplicate = false
        var code: Int32 = 0
        let operation = "publish \(messageID)"
        try Self.call(operation, code: { code }) { error, size in
            data.withUnsafeBytes { raw in
                tacho_js_publish(
                    context, subject, messageID, expectLastMessageID, leader, raw.baseAddress, Int32(raw.count), Int64(waitMs),
                    &sequence, &duplicate, &code, error, size)
            }
        }
        return (sequence, duplicate)
    }

    /// Message `sequence` of the stream (0: the last one on `subject`); nil when absent.
    func message(stream: String, subject: String, sequence: UInt64) throws(ReplicationError) -> StoredMessage? {
        var message: OpaquePointer?
        var missing = false
        try Self.call("get message \(sequence == 0 ? "last" : String(sequence)) of \(stream)") { error, size in
            let status = tacho_js_get_msg(&message, context, stream, subject, sequence, error, size)
            if status == NATS_NOT_FOUND { missing = true; return NATS_OK }
            return status
        }
        guard !missing, let message else { return nil }
        defer { natsMsg_Destroy(message) }
        return Self.stored(message, sequence: natsMsg_GetSequence(message))
    }

    /// An ordered consumer from stream sequence `startSequence`.
    func subscribeOrdered(stream: String, subject: String, startSequence: UInt64) throws(ReplicationError) -> NATSOrderedSubscription {
        var subscription: OpaquePointer?
        try Self.call("subscribe to \(stream) from sequence \(startSequence)") { error, size in
            tacho_js_subscribe_ordered(&subscription, context, stream, subject, startSequence, error, size)
        }
        return NATSOrderedSubscription(subscription!, owner: self)
    }

    static func stored(_ message: OpaquePointer, sequence: UInt64) -> StoredMessage {
        let length = Int(natsMsg_GetDataLength(message))
        var data = [UInt8](repeating: 0, count: length)
        if length > 0, let source = natsMsg_GetData(message) {
            data.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: source, count: length)) }
        }
        return StoredMessage(
            sequence: sequence, data: data,
            messageID: tacho_nats_msg_header(message, "Nats-Msg-Id").map { String(cString: $0) },
            leader: tacho_nats_msg_header(message, "Tacho-Leader").map { String(cString: $0) })
    }

    /// Runs a shim call with an error buffer; throws its text when the status is not OK.
    static func call(
        _ operation: @autoclosure () -> String, code: () -> Int32 = { 0 },
        _ body: (UnsafeMutablePointer<CChar>, Int) -> natsStatus
    ) throws(ReplicationError) {
        var buffer = [CChar](repeating: 0, count: 512)
        let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard status != NATS_OK else { return }
        let detail = buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        throw .nats(operation: operation(), detail: detail.isEmpty ? "status \(status.rawValue)" : detail, jetStreamCode: Int(code()))
    }
}

/// An ordered JetStream consumer: messages in stream order, no acks, re-created by
/// the client after a gap. Blocking like `NATSJetStream`.
final class NATSOrderedSubscription: @unchecked Sendable {
    private let subscription: OpaquePointer
    /// Keeps the connection alive while the subscription is.
    private let owner: NATSJetStream

    init(_ subscription: OpaquePointer, owner: NATSJetStream) {
        self.subscription = subscription
        self.owner = owner
    }

    deinit {
        natsSubscription_Unsubscribe(subscription)
        natsSubscription_Destroy(subscription)
    }

    /// The next message, or nil when none came within `timeoutMs`.
    func next(timeoutMs: Int) throws(ReplicationError) -> NATSJetStream.StoredMessage? {
        var message: OpaquePointer?
        let status = natsSubscription_NextMsg(&message, subscription, Int64(timeoutMs))
        if status == NATS_TIMEOUT { return nil }
        guard status == NATS_OK, let message else {
            throw .nats(operation: "next message", detail: String(cString: natsStatus_GetText(status)), jetStreamCode: 0)
        }
        defer { natsMsg_Destroy(message) }
        return NATSJetStream.stored(message, sequence: tacho_nats_msg_stream_seq(message))
    }
}

/// A connection made at its first use, on the thread that uses it (connecting blocks):
/// the publisher's and the follower's worker threads hold one each.
final class LazyJetStream: @unchecked Sendable {
    private let options: ReplicationOptions
    private let name: String
    private var connection: NATSJetStream?

    init(options: ReplicationOptions, name: String) {
        self.options = options
        self.name = name
    }

    /// The connection (in the background when no server answers yet). Call from one thread only.
    func get() throws(ReplicationError) -> NATSJetStream {
        if let connection { return connection }
        let made = try NATSJetStream(
            urls: options.urlList, name: "\(name) \(options.stream)", requestTimeoutMs: options.requestTimeoutMs, retryFirstConnect: true)
        connection = made
        return made
    }
}
