/// The simulated service: its connections, the operations it serves, its caches.
/// Arrays, never dictionaries, so iteration order — and so the events — depend only
/// on the seed.
enum DemoCatalog {
    struct Connection {
        let name: String
        let monitors: [String]
        /// Median latency of an operation's call through this connection.
        let baseLatencyMs: Double
        /// Operations per second at which load reads 100.
        let capacityOps: Double
    }

    struct OperationKind {
        let name: String
        let `protocol`: String
        /// Index into `connections`.
        let connection: Int
        /// Share of traffic.
        let weight: Double
        let baseLatencyMs: Double
    }

    struct Cache {
        let name: String
        /// Hit ratio once warm.
        let warmHitRatio: Double
        let entriesMax: UInt64
        let entryBytes: UInt64
        let baseTTLms: Double
    }

    static let connections: [Connection] = [
        Connection(name: "db-primary", monitors: ["query-latency", "replication-lag", "pool-usage"], baseLatencyMs: 8, capacityOps: 700),
        Connection(name: "db-replica", monitors: ["query-latency", "replication-lag"], baseLatencyMs: 5, capacityOps: 900),
        Connection(name: "cache-redis", monitors: ["hit-rate", "memory", "evictions"], baseLatencyMs: 0.8, capacityOps: 2500),
        Connection(name: "queue-kafka", monitors: ["consumer-lag", "throughput"], baseLatencyMs: 3, capacityOps: 800),
        Connection(name: "api-gateway", monitors: ["rps", "error-rate", "latency"], baseLatencyMs: 2, capacityOps: 2000),
    ]

    static let operations: [OperationKind] = [
        OperationKind(name: "GET /api/users", protocol: "http1", connection: 1, weight: 0.22, baseLatencyMs: 12),
        OperationKind(name: "GET /api/products", protocol: "http2", connection: 2, weight: 0.26, baseLatencyMs: 4),
        OperationKind(name: "POST /api/orders", protocol: "http2", connection: 0, weight: 0.12, baseLatencyMs: 35),
        OperationKind(name: "inventory.Reserve", protocol: "grpc", connection: 0, weight: 0.10, baseLatencyMs: 18),
        OperationKind(name: "events.Publish", protocol: "grpc", connection: 3, weight: 0.12, baseLatencyMs: 6),
        OperationKind(name: "GET /api/search", protocol: "http1", connection: 1, weight: 0.10, baseLatencyMs: 25),
        OperationKind(name: "ws /live/prices", protocol: "websocket", connection: 4, weight: 0.08, baseLatencyMs: 2),
    ]

    static let caches: [Cache] = [
        Cache(name: "user-cache", warmHitRatio: 0.93, entriesMax: 50_000, entryBytes: 420, baseTTLms: 300_000),
        Cache(name: "session-cache", warmHitRatio: 0.97, entriesMax: 20_000, entryBytes: 1_100, baseTTLms: 1_800_000),
        Cache(name: "query-cache", warmHitRatio: 0.82, entriesMax: 100_000, entryBytes: 2_300, baseTTLms: 60_000),
    ]

    static let cpuCores = 4
    static let memoryTotalBytes: Double = 16 * 1024 * 1024 * 1024
}
