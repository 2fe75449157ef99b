import Hummingbird

/// Builds the streaming response of a live-stream request from its parts: a `retry:`
/// hint, then the prelude (messages replayed from the log, or a `reset` snapshot),
/// then the live subscription, joined by an `SSEResumeGate` so the client sees no
/// gap and no duplicate. The subscription is cancelled however the stream ends.
public enum SSEResponse {
    /// `Cache-Control: no-cache` so no cache holds the stream, `X-Accel-Buffering: no`
    /// so a fronting nginx passes each message on at once.
    public static var headers: HTTPFields {
        [
            .contentType: SSEFraming.contentType,
            .cacheControl: "no-cache",
            HTTPFields.Element.Name("X-Accel-Buffering")!: "no",
        ]
    }

    /// - Parameters:
    ///   - prelude: chunks in offset order; subscribe *before* producing it, so
    ///     nothing appended meanwhile is lost.
    ///   - subscription: the client's live messages.
    public static func make<Prelude: AsyncSequence & Sendable>(
        retryMs: Int, prelude: Prelude, subscription: SSESubscription
    ) -> Response where Prelude.Element == SSEChunk {
        let body = ResponseBody { writer in
            do {
                try await writer.write(ByteBuffer(bytes: SSEFraming.retry(milliseconds: retryMs)))
                var gate = SSEResumeGate()
                for try await chunk in prelude {
                    if let offset = chunk.offset, gate.replayedThrough.map({ offset > $0 }) ?? true {
                        gate.replayed(offset)
                    }
                    try await writer.write(ByteBuffer(bytes: chunk.bytes))
                }
                for await chunk in subscription where gate.admitsLive(offset: chunk.offset) {
                    try await writer.write(ByteBuffer(bytes: chunk.bytes))
                }
                await subscription.cancel()
                try await writer.finish(nil)
            } catch {
                await subscription.cancel()
                throw error
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
