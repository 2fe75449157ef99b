import Dispatch
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Answers `/api/v1/query` and `/api/v1/query_range`, and the other endpoints of
/// `PromQueries.Endpoint` (series, labels, label values, metadata, buildinfo: what
/// `promtool query series|labels` and Grafana's editor read), GET and form POST, on the
/// connection's own pipeline, ahead of Hummingbird's router: Grafana's panels send
/// these over kept-alive connections, and the router's path (the request handed to
/// Swift's pool through `NIOAsyncChannel`, routed, handed to a blocking thread, back
/// to the pool, back to the loop) cost ~0.1 ms a request, more than the query of one
/// series (BENCHMARKS, "Queries answered on the connection"). Here the query is
/// computed on a blocking thread and written from the event loop: two threads, not three.
///
/// Every other request, and a query pipelined behind a request the router has not
/// finished answering, goes on to the router unchanged, so responses leave in the
/// order requests came. While a query is being answered the parts read after it are
/// held and no more is read from the socket (pipelined requests wait, as they wait
/// for the router). Sits after `RequestDeadlineHandler` and `StalledWriteHandler`,
/// which see its requests and responses as they see the router's. The answer is
/// `PromQueries.answer`, the router's own, so the two paths cannot answer differently.
final class PromQueryHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// A query request read here, until its answer is written.
    struct Query: Sendable {
        let endpoint: PromQueries.Endpoint
        let target: String
        /// The client asked for the connection to close after the response (`Connection: close`).
        let closes: Bool
        /// A POST's body is a form of parameters; a GET's body is read and left unread, as the router leaves it.
        let readsForm: Bool
        /// Why the request is refused before it is parsed (a POST that is no form, a form over the limit).
        var refusal: PromAPIError?
        var form: ByteBuffer?

        var parameters: PromAPIParameters {
            PromAPIParameters(query: PromAPIParameters.query(ofTarget: target[...]), form: form)
        }
    }

    private enum State {
        case idle
        /// A request the router answers; its parts go on.
        case passing
        /// A query's head was read; its body is being collected.
        case reading(Query)
        /// A query is being computed and written; parts read meanwhile wait in `held`.
        case answering
    }

    private let queries: PromQueries
    private let serverName: String
    /// Where answers are computed: a thread that may block (reads of the log), not the event loop.
    private let compute: @Sendable (@escaping @Sendable () -> Void) -> Void
    private var state = State.idle
    /// Requests handed to the router whose response has not ended.
    private var routerResponsesOwed = 0
    private var held = CircularBuffer<HTTPRequestPart>()
    /// A read the pipeline asked for while a query was answered, done once it is.
    private var readHeld = false
    /// The server is stopping: the connection closes once the query being read or answered is answered.
    private var closesAfterAnswer = false
    /// The query being computed, cancelled when the connection closes before its answer.
    private var computing: QueryCancellation?
    private var isAdded = false
    private var date = HTTPDateCache()

    /// Whether a small query whose samples are in memory is computed on the event loop
    /// (`PromQueries.answerHeld`) instead of a thread: false puts every query through
    /// `compute` (the tests that hold the computation).
    private let answersHeld: Bool

    init(
        queries: PromQueries, serverName: String, answersHeld: Bool = true,
        compute: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void = { DispatchQueue.global().async(execute: $0) }
    ) {
        self.queries = queries
        self.serverName = serverName
        self.answersHeld = answersHeld
        self.compute = compute
    }

    func handlerAdded(context: ChannelHandlerContext) { isAdded = true }

    func handlerRemoved(context: ChannelHandlerContext) {
        isAdded = false
        computing?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Nobody can read the answer: the computation stops at its next check.
        computing?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if case .answering = state {
            held.append(part)
        } else {
            take(part, context: context)
        }
    }

    private func take(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch (state, part) {
        case (.idle, .head(let head)):
            if routerResponsesOwed == 0, !closesAfterAnswer, let query = Self.query(head) {
                state = .reading(query)
            } else {
                routerResponsesOwed += 1
                state = .passing
                context.fireChannelRead(wrapInboundOut(part))
            }
        case (.reading(var query), .body(let chunk)):
            if query.readsForm, query.refusal == nil {
                if (query.form?.readableBytes ?? 0) + chunk.readableBytes > PromAPIParameters.formBytesMax {
                    query.refusal = PromAPIParameters.formTooLarge
                    query.form = nil
                } else {
                    var chunk = chunk
                    query.form = query.form ?? context.channel.allocator.buffer(capacity: chunk.readableBytes)
                    query.form!.writeBuffer(&chunk)
                }
            }
            state = .reading(query)
        case (.reading(let query), .end):
            state = .answering
            answer(query, context: context)
        case (.passing, .end):
            state = .idle
            context.fireChannelRead(wrapInboundOut(part))
        default:
            // The router's parts; and what the HTTP codec never sends (a body without a
            // head), which the router refuses as it would without this handler.
            context.fireChannelRead(wrapInboundOut(part))
        }
    }

    /// The query `head` asks for, or nil when the router answers it.
    private static func query(_ head: HTTPRequest) -> Query? {
        guard head.method == .get || head.method == .post, let target = head.path,
            let endpoint = PromQueries.Endpoint(target: target[...])
        else { return nil }
        let closes = head.headerFields[.connection].map { $0.lowercased() == "close" } ?? false
        var query = Query(endpoint: endpoint, target: target, closes: closes, readsForm: head.method == .post)
        if head.method == .post { query.refusal = PromAPIParameters.formRefusal(contentType: head.headerFields[.contentType]) }
        return query
    }

    private func answer(_ query: Query, context: ChannelHandlerContext) {
        let queries = self.queries
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        // A small query over samples in memory costs less than the two thread hand-overs
        // (~0.03 ms); its answer is written at the loop's next turn, as a computed one is.
        if answersHeld, query.refusal == nil, let answer = queries.answerHeld(query.endpoint, query.parameters) {
            eventLoop.execute {
                bound.value.handler.respond(answer, closes: query.closes, context: bound.value.context)
            }
            return
        }
        let cancellation = QueryCancellation()
        computing = cancellation
        compute {
            let answer = query.refusal.map(PromAPIJSON.failureAnswer) ?? queries.answer(query.endpoint, query.parameters, cancellation: cancellation)
            eventLoop.execute {
                bound.value.handler.respond(answer, closes: query.closes, context: bound.value.context)
            }
        }
    }

    private func respond(_ answer: PromAPIAnswer, closes: Bool, context: ChannelHandlerContext) {
        computing = nil
        guard isAdded, context.channel.isActive else {
            held.removeAll()
            return
        }
        let closing = closes || closesAfterAnswer
        var fields = HTTPFields()
        fields[.contentType] = PromAPIJSON.contentType
        fields[.contentLength] = String(answer.body.count)
        fields[.date] = date.now()
        fields[.server] = serverName
        if closing { fields[.connection] = "close" }
        context.write(wrapOutboundOut(.head(HTTPResponse(status: answer.status, headerFields: fields))), promise: nil)
        context.write(wrapOutboundOut(.body(context.channel.allocator.buffer(bytes: answer.body))), promise: nil)
        if closing {
            held.removeAll()
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in bound.value.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        state = .idle
        if !held.isEmpty {
            while !isAnswering, let part = held.popFirst() {
                take(part, context: context)
            }
            // Out of the socket's read cycle: the router's channel hands parts on at a read's completion.
            context.fireChannelReadComplete()
        }
        if readHeld, !isAnswering {
            readHeld = false
            context.read()
        }
    }

    private var isAnswering: Bool {
        if case .answering = state { return true }
        return false
    }

    func read(context: ChannelHandlerContext) {
        if isAnswering {
            readHeld = true
        } else {
            context.read()
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), routerResponsesOwed > 0 { routerResponsesOwed -= 1 }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // Hummingbird's connection handler closes an idle connection when the server
        // stops; a query it never saw would be cut off, so it closes after the answer.
        // A client that ends its side after sending a query (shutdown(SHUT_WR)) gets
        // the answer before the connection closes.
        if isAnswering, let event = event as? ChannelEvent, event == .inputClosed {
            closesAfterAnswer = true
            return
        }
        if event is ChannelShouldQuiesceEvent {
            switch state {
            case .reading, .answering:
                closesAfterAnswer = true
                return
            case .idle, .passing:
                break
            }
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// The `Date` header's value (RFC 9110's IMF-fixdate), made again once a second.
struct HTTPDateCache {
    private var second = Int.min
    private var text = ""

    mutating func now() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let now = Int(time.tv_sec)
        if now != second {
            second = now
            text = Self.format(secondsSince1970: now)
        }
        return text
    }

    static func format(secondsSince1970 seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }
}
