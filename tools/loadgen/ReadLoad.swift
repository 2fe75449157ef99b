import AsyncHTTPClient
import NIOCore

/// `connections` loops of GET `url` until `seconds` pass (or `requestsMax` each).
enum ReadLoad {
    static let requestsMax = 10_000_000

    static func run(url: String, seconds: Int, connections: Int) async throws {
        let client = Client.make(connections: connections)
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .seconds(seconds)
        let total = await withTaskGroup(of: IngestLoad.Tally.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    var tally = IngestLoad.Tally()
                    while clock.now < deadline, tally.requests < requestsMax {
                        let sent = clock.now
                        tally.requests += 1
                        do {
                            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                            let body = try await response.body.collect(upTo: 16 << 20)
                            if response.status.code == 200, body.readableBytes > 0 {
                                tally.items += 1
                                tally.latenciesMs.append(Stats.milliseconds(clock.now - sent))
                            } else {
                                tally.failures += 1
                                if tally.failures == 1 { print("  connection \(connection): HTTP \(response.status.code)") }
                            }
                        } catch {
                            tally.failures += 1
                            if tally.failures == 1 { print("  connection \(connection): \(error)") }
                        }
                    }
                    return tally
                }
            }
            var total = IngestLoad.Tally()
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
        print("reads: GET \(url), \(connections) connections, \(Stats.fixed(elapsed, 2)) s: \(total.items) answered 200 of \(total.requests), \(total.failures) failed")
        print("reads requests/s: \(Stats.rate(Double(total.items) / elapsed))requests/s")
        print("reads latency: \(Stats.describe(latenciesMs: total.latenciesMs))")
    }
}
