import AsyncHTTPClient
import NIOCore
import Server

/// Sends the same remote-write payloads to any receiver (Tacho's `/api/v1/write` or
/// Prometheus's `--web.enable-remote-write-receiver`): `connections` senders, each with
/// its own `series` series, `requests` requests of one sample per series, timestamps
/// one second apart from `baseMs` (in order per series, as Prometheus requires).
/// Payloads are encoded and snappy-compressed before the clock starts.
enum RemoteWriteLoad {
    static func payloads(connection: Int, series: Int, requests: Int, baseMs: Int64) -> [[UInt8]] {
        (0..<requests).map { request in
            let timestampMs = baseMs + Int64(request) * 1000
            let batch = (0..<series).map { index in
                RemoteWriteEncoder.Series(
                    labels: [
                        ("__name__", "bench_metric_\(index % 50)"), ("job", "bench"), ("instance", "sender-\(connection)"),
                        ("series", "\(index)"), ("zone", "z\(index % 4)"),
                    ],
                    samples: [(Double(request * series + index), timestampMs)])
            }
            return SnappyBlock.compress(RemoteWriteEncoder.encode(batch))
        }
    }

    static func run(url: String, connections: Int, series: Int, requests: Int, baseMs: Int64) async throws {
        let client = Client.make(connections: connections)
        let bodies = (0..<connections).map { payloads(connection: $0, series: series, requests: requests, baseMs: baseMs) }
        let bytes = bodies.joined().reduce(0) { $0 + $1.count }
        let clock = ContinuousClock()
        let start = clock.now
        let failures = await withTaskGroup(of: Int.self) { group in
            for connection in 0..<connections {
                group.addTask {
                    var failures = 0
                    for body in bodies[connection] {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/x-protobuf")
                        request.headers.add(name: "Content-Encoding", value: "snappy")
                        request.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
                        request.body = .bytes(ByteBuffer(bytes: body))
                        do {
                            let response = try await client.execute(request, timeout: .seconds(60))
                            let answer = try await response.body.collect(upTo: 1 << 20)
                            if response.status.code / 100 != 2 {
                                failures += 1
                                if failures == 1 { print("  sender \(connection): HTTP \(response.status.code): \(String(buffer: answer).prefix(200))") }
                            }
                        } catch {
                            failures += 1
                            if failures == 1 { print("  sender \(connection): \(error)") }
                        }
                    }
                    return failures
                }
            }
            var total = 0
            for await failures in group { total += failures }
            return total
        }
        let elapsed = Stats.seconds(clock.now - start)
        try await client.shutdown()
        let samples = connections * series * requests
        print("remote-write: \(connections) senders × \(requests) requests × \(series) samples (\(bytes / (connections * requests)) B each, snappy) in \(Stats.fixed(elapsed, 3)) s, \(failures) failed")
        print("remote-write samples/s: \(Int((Double(samples) / elapsed).rounded()))")
    }
}
