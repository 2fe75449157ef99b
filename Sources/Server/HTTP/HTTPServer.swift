import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// Tacho's HTTP server: NIO's `ServerBootstrap`, each accepted connection's pipeline
/// built on its event loop (`ServerConnection`), and Hummingbird's router reached by a
/// task only for the connections that send it a request.
///
/// Why not Hummingbird's `Server`: it hands every accepted connection to Swift
/// concurrency (the listening socket is an `NIOAsyncChannel` a task iterates, and each
/// connection gets a task of its own) before its first byte is read: ~0.07 ms of server
/// CPU per connection on the 2-core machine, a quarter of Prometheus's whole request
/// (BENCHMARKS, "What a new connection costs"). Here a connection that only carries
/// PromQL queries (answered on the connection by `PromQueryHandler`) never leaves its
/// event loop.
///
/// Stopping: a graceful shutdown closes the listening socket and sends every connection
/// NIO's quiesce event (`ServerQuiescingHelper`): idle ones close, busy ones close after
/// the response under way (Hummingbird's `HTTPConnectionStateHandler`, and
/// `PromQueryHandler` for queries); `run` returns when all are closed. Cancelled
/// instead, it stops accepting, asks the same, and cancels the router's tasks.
struct HTTPServer: Service {
    /// The listen queue: connections the kernel holds before they are accepted.
    static let backlogConnections: Int32 = 256

    let host: String
    let port: Int
    let connection: ServerConnection
    let logger: Logger
    /// Called with the bound port (the system's pick when `port` is 0) once listening.
    let onListening: @Sendable (Int) async -> Void

    /// A server of `router`'s routes, each connection made by `connection` with the
    /// responder that answers them.
    init<Router: HTTPResponderBuilder>(
        router: Router, host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void,
        connection: (@escaping HTTPChannelHandler.Responder) -> ServerConnection
    ) where Router.Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        self.host = host
        self.port = port
        self.logger = logger
        self.onListening = onListening
        self.connection = connection(Self.responder(router.buildResponder(), serverName: ServerOptions.serverName, logger: logger))
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let quiescing = ServerQuiescingHelper(group: group)
        let (routed, routes) = AsyncStream.makeStream(of: (ServerConnection.Route, any Channel).self)
        let connection = self.connection
        let logger = self.logger
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Self.backlogConnections)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            // A client may end its side after its request and still read the answer.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                connection.setup(channel: child, logger: logger).map { value in
                    value.route.whenSuccess { route in
                        if case .closed = route { return }
                        routes.yield((route, value.channel))
                    }
                }
            }
        let listener: any Channel
        do {
            listener = try await bootstrap.bind(host: host, port: port).get()
        } catch {
            routes.finish()
            throw error
        }
        logger.info("listening on \(host):\(listener.localAddress?.port ?? port)")
        await onListening(listener.localAddress?.port ?? port)
        let stopping = Atomic<Bool>(false)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { tasks in
                // Ends when the stop below is done, or when this task is cancelled.
                for await (route, channel) in routed {
                    tasks.addTask { await connection.serve(route, channel: channel, logger: logger) }
                }
            }
        } onGracefulShutdown: {
            guard !stopping.exchange(true, ordering: .relaxed) else { return }
            let stopped = listener.eventLoop.makePromise(of: Void.self)
            stopped.futureResult.whenComplete { _ in routes.finish() }
            quiescing.initiateShutdown(promise: stopped)
        }
        if !stopping.exchange(true, ordering: .relaxed) {
            // Cancelled: nothing more is accepted, and open connections are asked to close.
            routes.finish()
            quiescing.initiateShutdown(promise: nil)
        }
    }

    /// Raised in a router request's task when its response could not be written
    /// because the request failed to parse; the connection closes (a parse error
    /// itself would make the request loop write a second response).
    struct ResponseNotWritten: Error {}

    /// Hummingbird's responder as its `Application` makes it: the request context, a
    /// `500` for an error no middleware answered, the `Date` and `Server` headers.
    static func responder<Responder: HTTPResponder>(
        _ responder: Responder, serverName: String, logger: Logger
    ) -> HTTPChannelHandler.Responder where Responder.Context: InitializableFromSource<ApplicationRequestContextSource> {
        let dates = Mutex(HTTPDateCache())
        return { request, writer, channel in
            let context = Responder.Context(source: .init(channel: channel, logger: logger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch let error as HTTPParserError {
                throw error
            } catch {
                logger.debug("unanswered error", metadata: ["error.type": "\(error)"])
                response = Response(status: .internalServerError, body: .init())
            }
            response.headers[.date] = dates.withLock { $0.now() }
            response.headers[.server] = serverName
            do {
                try await writer.write(response: response.head, body: response.body)
            } catch is HTTPParserError {
                throw ResponseNotWritten()
            }
        }
    }
}
