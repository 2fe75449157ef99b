import AsyncHTTPClient

/// `connections` loops posting NDJSON batches until `seconds` pass (or each has
/// sent `requestsMax`); counts the events the server acknowledged.
enum IngestLoad {
    static let requestsMax = 1_000_000

    struct Tally: Sendable {
        var events = 0
        var requests = 0
        var failures = 0
        var latenciesMs: [Double] = []
    }

    static func run(url: String, batch: Int, seconds: Int, connections: Int) async throws {
        let client = Client.make(connections: connections)
        let clock = ContinuousClock()
        let bodies = (0..<connections).map { NDJSONBatch.metrics(count: batch, connection: $0) }
        let start = clock.now
        let deadline = start + .seconds(seconds)
        let total = await withTaskGroup(of: Tally.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    var tally = Tally()
                    while clock.now < deadline, tally.requests < requestsMax {
                        let sent = clock.now
                        tally.requests += 1
                        do {
                            let (status, answer) = try await Client.post(client, url: url, body: bodies[connection])
                            if status == 200, let count = NDJSONBatch.count(inAnswer: answer) {
                                tally.events += count
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
                total.events += tally.events
                total.requests += tally.requests
                total.failures += tally.failures
                total.latenciesMs += tally.latenciesMs
            }
            return total
        }
        let elapsed = Stats.seconds(clock.now - start)
        try await client.shutdown()
        print("ingest: \(connections) connections, batches of \(batch), \(Stats.fixed(elapsed, 2)) s: \(total.events) events accepted in \(total.requests) requests, \(total.failures) failed")
        print("ingest events/s: \(Stats.rate(Double(total.events) / elapsed))events/s (target ≥ 500 k)")
        print("ingest request latency: \(Stats.describe(latenciesMs: total.latenciesMs))")
    }
}
