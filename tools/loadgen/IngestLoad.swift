import AsyncHTTPClient
import BenchArguments
import Foundation

/// `connections` loops posting bodies until `seconds` pass (or each has sent
/// `requestsMax`); counts the items the server acknowledged.
enum IngestLoad {
    static let requestsMax = 1_000_000

    struct Tally: Sendable {
        var items = 0
        var requests = 0
        var failures = 0
        var latenciesMs: [Double] = []
    }

    /// Native NDJSON: `batch` metric events per request; the count comes from the answer.
    static func run(url: String, batch: Int, seconds: Int, connections: Int) async throws {
        let bodies = (0..<connections).map { NDJSONBatch.metrics(count: batch, connection: $0) }
        let (total, elapsed) = try await loop(url: url, bodies: bodies, headers: [("content-type", "application/x-ndjson")], seconds: seconds) { status, answer in
            status == 200 ? NDJSONBatch.count(inAnswer: answer) : nil
        }
        print("ingest: \(connections) connections, batches of \(batch), \(Stats.fixed(elapsed, 2)) s: \(total.items) events accepted in \(total.requests) requests, \(total.failures) failed")
        print("ingest events/s: \(Stats.rate(Double(total.items) / elapsed))events/s (target ≥ 500 k)")
        print("ingest request latency: \(Stats.describe(latenciesMs: total.latenciesMs))")
    }

    /// Any format: the same body (a file) from every connection; `items` per 2xx answer.
    static func post(url: String, bodyPath: String, contentType: String, items: Int, seconds: Int, connections: Int) async throws {
        guard let data = FileManager.default.contents(atPath: bodyPath) else { throw UsageError(message: "cannot read --body \(bodyPath)") }
        let bodies = Array(repeating: [UInt8](data), count: connections)
        let (total, elapsed) = try await loop(url: url, bodies: bodies, headers: [("content-type", contentType)], seconds: seconds) { status, _ in
            status / 100 == 2 ? items : nil
        }
        print("post: \(connections) connections, \(data.count) B bodies of \(items) items, \(Stats.fixed(elapsed, 2)) s: \(total.items) items accepted in \(total.requests) requests, \(total.failures) failed")
        print("post items/s: \(Stats.rate(Double(total.items) / elapsed))items/s")
        print("post request latency: \(Stats.describe(latenciesMs: total.latenciesMs))")
    }

    /// The loop both modes share; `accepted` turns an answer into its item count (nil: a failure).
    static func loop(
        url: String, bodies: [[UInt8]], headers: [(String, String)], seconds: Int,
        accepted: @escaping @Sendable (UInt, String) -> Int?
    ) async throws -> (Tally, Double) {
        let client = Client.make(connections: bodies.count)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(seconds)
        let total = await withTaskGroup(of: Tally.self) { group in
            for (connection, body) in bodies.enumerated() {
                group.addTask {
                    var tally = Tally()
                    while clock.now < deadline, tally.requests < requestsMax {
                        let sent = clock.now
                        tally.requests += 1
                        do {
                            let (status, answer) = try await Client.post(client, url: url, body: body, headers: headers)
                            if let count = accepted(status, answer) {
                                tally.items += count
                                tally.latenciesMs.append(Stats.milliseconds(clock.now - sent))
                            } else {
                                tally.failures += 1
                                if tally.failures == 1 { print("  connection \(connection): HTTP \(status): \(answer.prefix(200))") }
                            }
                        } catch {
                            tally.failures += 1
                            if tally.failures == 1 { print("  connection \(connection): \(error)") }
                        }
                    }
                    return tally
                }
            }
            var total = Tally()
            for await tally in group {
                total.items += tally.items
                total.requests += tally.requests
                total.failures += tally.failures
                total.latenciesMs += tally.latenciesMs
            }
            return total
        }
        let elapsed = Stats.seconds(clock.now - start)
        try await client.shutdown()
        return (total, elapsed)
    }
}
