import EventStore
import Foundation
import Projections
@testable import Server

/// A data directory under the system's temporary directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init(_ label: String = "serve") throws {
        path = NSTemporaryDirectory() + "tacho-\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A known event stream: two connections, operations, a breaker opening, a cache,
/// a batch, an optimizer report, an alert, host vitals and an annotation, one to a
/// few per second from 2026-01-01T10:00:00Z.
enum KnownStream {
    static let startNs: Int64 = 1_767_261_600_000_000_000
    static func at(_ seconds: Double) -> Int64 { startNs + Int64(seconds * 1e9) }

    static let ndjson: String = [
        #"{"type":"connection","ts":\#(at(0)),"connection":"db","monitors":["m1"],"load":40,"tps":100,"parseRate":0.95,"latencyMs":12}"#,
        #"{"type":"connection","ts":\#(at(0)),"connection":"api","monitors":["m1","m2"],"load":20,"tps":50,"parseRate":1,"latencyMs":5}"#,
        #"{"type":"op","ts":\#(at(1)),"name":"GET /a","protocol":"http1","durationMs":10,"ok":true}"#,
        #"{"type":"op","ts":\#(at(1.1)),"name":"GET /a","protocol":"http1","durationMs":20,"ok":true}"#,
        #"{"type":"op","ts":\#(at(1.2)),"name":"GET /b","protocol":"grpc","durationMs":30,"ok":true}"#,
        #"{"type":"op","ts":\#(at(1.3)),"name":"GET /b","protocol":"grpc","durationMs":40,"ok":false}"#,
        #"{"type":"breaker","ts":\#(at(2)),"connection":"db","from":"CLOSED","to":"OPEN","failures":5,"reason":"timeouts"}"#,
        #"{"type":"cache","ts":\#(at(2)),"cache":"users","hits":50,"misses":50,"evictions":3,"sizeBytes":1000,"entries":10,"compressionRatio":2,"avgTTLms":500}"#,
        #"{"type":"batch","ts":\#(at(3)),"size":50,"optimalSize":100,"latencyMs":10,"queueDepth":3,"priority":{"high":1,"medium":2,"low":3}}"#,
        #"{"type":"optimization","ts":\#(at(3)),"mode":"auto","efficiency":0.8,"params":{"batchSize":50,"batchTimeoutMs":20,"cacheTTLMultiplier":2,"maxConcurrentOps":8}}"#,
        #"{"type":"alert","ts":\#(at(4)),"id":"a1","severity":"critical","kind":"breaker","message":"db is open","connection":"db"}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"cpu_percent","labels":{"core":"total"},"value":40}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"cpu_percent","labels":{"core":"0"},"value":30}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"memory_bytes","labels":{"kind":"total"},"value":1000}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"memory_bytes","labels":{"kind":"used"},"value":600}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"memory_bytes","labels":{"kind":"available"},"value":400}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"load_average","labels":{"period":"1m"},"value":1.5}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"load_average","labels":{"period":"5m"},"value":1}"#,
        #"{"type":"metric","ts":\#(at(4)),"name":"load_average","labels":{"period":"15m"},"value":0.5}"#,
        #"{"type":"annotation","ts":\#(at(5)),"text":"deploy v2","tags":["deploy"]}"#,
    ].joined(separator: "\n")

    static var eventCount: Int { ndjson.split(separator: "\n").count }
}

extension Engine {
    /// The views folded straight from the log's events below `nextOffset`, as a
    /// fresh `ProjectionSet` would fold them.
    func foldLog(below nextOffset: UInt64) throws -> ProjectionSet {
        var views = ProjectionSet()
        try scanLog(fromOffset: 0) { batch in
            for (index, event) in batch.events.enumerated() {
                let offset = batch.baseOffset + UInt64(index)
                guard offset < nextOffset else { return false }
                views.apply(event, offset: offset)
            }
            return batch.endOffset < nextOffset
        }
        return views
    }

    func loggedEvents() throws -> [LoggedEvent] {
        var all: [LoggedEvent] = []
        try scanLog(fromOffset: 0) { batch in
            all.append(contentsOf: batch.loggedEvents)
            return true
        }
        return all
    }
}

/// An engine on a temporary directory whose host runs for the duration of `body`.
func withRunningEngine<T>(
    token: String? = nil, _ body: (TachoApp) async throws -> T
) async throws -> T {
    let directory = try TemporaryDirectory("routes")
    defer { directory.remove() }
    var options = ServerOptions()
    options.dataDirectory = directory.path
    options.token = token
    options.port = 0
    options.collectsHostVitals = false
    let app = try await TachoApp.open(options: options)
    let running = Task { try await app.engine.run() }
    do {
        let result = try await body(app)
        running.cancel()
        try await running.value
        return result
    } catch {
        running.cancel()
        _ = try? await running.value
        throw error
    }
}

/// JSON object from response bytes.
func jsonObject(_ text: String) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
    guard let object = value as? [String: Any] else { throw JSONShapeError(text: text) }
    return object
}

struct JSONShapeError: Error, CustomStringConvertible {
    let text: String
    var description: String { "not a JSON object: \(text.prefix(200))" }
}
