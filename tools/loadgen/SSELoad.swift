import AsyncHTTPClient
import NIOCore

/// Opens `clients` SSE connections, then appends one marker event every
/// `markerIntervalMs` and measures, for each marker and client, the time from
/// sending the marker to receiving the first message whose `id:` (the offset of the
/// last event folded) reaches the marker's offset.
enum SSELoad {
    /// Receipts kept per client; later ones are dropped (the run is bounded anyway).
    static let receiptsMax = 100_000
    static let markerIntervalMs = 100
    static let connectWaitSeconds = 30

    struct Receipt: Sendable {
        var id: UInt64
        var at: ContinuousClock.Instant
    }

    actor Connected {
        var count = 0
        func add() { count += 1 }
    }

    static func run(url: String, clients: Int, seconds: Int, serverPID: Int?) async throws {
        let client = Client.make(connections: clients + 4)
        let clock = ContinuousClock()
        let ingestURL = Target.origin(url) + "/api/v1/events"
        print("sse: server RSS before clients: \(Stats.serverRSS(serverPID))")
        let connected = Connected()
        let streamDeadline = clock.now + .seconds(connectWaitSeconds + seconds + 2)

        let (markers, receipts, rssConnected): ([(offset: UInt64, sent: ContinuousClock.Instant)], [[Receipt]], String) =
            try await withThrowingTaskGroup(of: [Receipt]?.self) { group in
                for _ in 0..<clients {
                    group.addTask { await listen(client, url: url, until: streamDeadline, connected: connected) }
                }
                // Wait (bounded) until every client has its response head.
                let connectDeadline = clock.now + .seconds(connectWaitSeconds)
                while await connected.count < clients, clock.now < connectDeadline {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let ready = await connected.count
                print("sse: \(ready) of \(clients) clients connected")
                let rss = Stats.serverRSS(serverPID)
                print("sse: server RSS with clients connected: \(rss)")

                var markers: [(offset: UInt64, sent: ContinuousClock.Instant)] = []
                let end = clock.now + .seconds(seconds)
                var sequence = 0
                while clock.now < end, sequence < seconds * 1000 / markerIntervalMs + 1 {
                    let sent = clock.now
                    let (status, answer) = try await Client.post(client, url: ingestURL, body: NDJSONBatch.marker(sequence: sequence))
                    guard status == 200, let offset = NDJSONBatch.firstOffset(inAnswer: answer) else {
                        print("sse: marker \(sequence) refused: HTTP \(status) \(answer.prefix(200))")
                        break
                    }
                    markers.append((offset, sent))
                    sequence += 1
                    try await Task.sleep(until: sent + .milliseconds(markerIntervalMs), clock: clock)
                }
                // Let the last marker arrive, then end the streams.
                try await Task.sleep(for: .milliseconds(500))
                group.cancelAll()
                var receipts: [[Receipt]] = []
                for try await list in group { if let list { receipts.append(list) } }
                return (markers, receipts, rss)
            }
        _ = rssConnected
        try await client.shutdown()

        var latenciesMs: [Double] = []
        var missed = 0
        for list in receipts {
            for marker in markers {
                if let receipt = firstReceipt(in: list, reaching: marker.offset) {
                    latenciesMs.append(Stats.milliseconds(receipt.at - marker.sent))
                } else {
                    missed += 1
                }
            }
        }
        print("sse: \(markers.count) markers × \(receipts.count) clients; \(missed) marker receipts missing")
        print("sse latency append → receipt: \(Stats.describe(latenciesMs: latenciesMs)) (target p99 ≤ 50 ms)")
        print("sse: server RSS after: \(Stats.serverRSS(serverPID))")
    }

    /// Binary search: `list` is in increasing `id` order.
    static func firstReceipt(in list: [Receipt], reaching offset: UInt64) -> Receipt? {
        var low = 0
        var high = list.count
        while low < high {
            let mid = (low + high) / 2
            if list[mid].id < offset { low = mid + 1 } else { high = mid }
        }
        return low < list.count ? list[low] : nil
    }

    /// One client: the `id:` lines it received and when, until cancelled or `deadline`.
    static func listen(_ client: HTTPClient, url: String, until deadline: ContinuousClock.Instant, connected: Connected) async -> [Receipt]? {
        let clock = ContinuousClock()
        var receipts: [Receipt] = []
        var line: [UInt8] = []
        do {
            var request = HTTPClientRequest(url: url)
            request.headers.add(name: "accept", value: "text/event-stream")
            let timeout = TimeAmount.nanoseconds(Int64(Stats.seconds(clock.now.duration(to: deadline)) * 1e9))
            let response = try await client.execute(request, timeout: timeout)
            guard response.status.code == 200 else { return nil }
            await connected.add()
            for try await buffer in response.body {
                let now = clock.now
                for byte in buffer.readableBytesView {
                    if byte == 0x0A {
                        if line.starts(with: Array("id: ".utf8)), let id = UInt64(String(decoding: line.dropFirst(4), as: UTF8.self)),
                           receipts.count < receiptsMax, receipts.last.map({ id > $0.id }) ?? true {
                            receipts.append(Receipt(id: id, at: now))
                        }
                        line.removeAll(keepingCapacity: true)
                    } else if line.count < 64 {
                        line.append(byte)
                    }
                }
                if Task.isCancelled || now >= deadline { break }
            }
        } catch {
            // Cancellation or the deadline ends the stream; the receipts so far count.
        }
        return receipts
    }
}
