import EventStore
import Hummingbird

/// `GET /api/v1/log` (offsets, segments, sizes, compression ratio, event-time range),
/// `GET /api/v1/info`, and `GET /api/v1/annotations?from=&to=` (read from the log by time).
public struct LogController<Context: RequestContext>: Sendable {
    let reader: any ViewReading
    let info: ServerInfo

    /// Annotations answered at most per request.
    public static var annotationsMax: Int { 5000 }

    public struct AnnotationItem: Encodable, Sendable, Equatable {
        public var offset: UInt64
        public var time: String
        public var timeNs: Int64
        public var text: String
        public var tags: [String]
    }

    struct Annotations: Encodable {
        var annotations: [AnnotationItem]
        /// True when `annotationsMax` cut the list short.
        var truncated: Bool
    }

    public init(reader: any ViewReading, info: ServerInfo) {
        self.reader = reader
        self.info = info
    }

    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("/api/v1/log", use: log)
        router.get("/api/v1/info", use: serverInfo)
        router.get("/api/v1/annotations", use: annotations)
    }

    @Sendable func log(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(reader.logInfo())
    }

    @Sendable func serverInfo(_ request: Request, context: Context) async throws -> Response {
        try JSONResponse.make(info)
    }

    @Sendable func annotations(_ request: Request, context: Context) async throws -> Response {
        let query = ViewQuery(request)
        let fromNs = try query.timeNs("from") ?? .min
        let toNs = try query.timeNs("to") ?? .max
        guard fromNs <= toNs else { throw APIError.badRequest("query parameter 'from' is after 'to'") }
        let reader = self.reader
        let found = try await BlockingWork.run {
            try reader.events(fromNs: fromNs, toNs: toNs, limit: Self.annotationsMax + 1) { $0.type == .annotation }
        }
        let items: [AnnotationItem] = found.prefix(Self.annotationsMax).compactMap { logged in
            guard case .annotation(let annotation) = logged.event.body else { return nil }
            return AnnotationItem(
                offset: logged.offset, time: EventTime.formatRFC3339(logged.event.timeNs), timeNs: logged.event.timeNs,
                text: annotation.text, tags: annotation.tags)
        }
        return try JSONResponse.make(Annotations(annotations: items, truncated: found.count > Self.annotationsMax))
    }
}
