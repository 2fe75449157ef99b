import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `senders` threads sending StatsD datagrams of `linesPerDatagram` lines (counters,
/// gauges, timers, some with DogStatsD tags) to 127.0.0.1:`port` for `seconds`, as fast
/// as the socket takes them. What arrived is the server's `tacho_statsd_lines_total`.
enum StatsDLoad {
    static func datagram(sender: Int, sequence: Int, lines: Int) -> [UInt8] {
        var text = ""
        for line in 0..<lines {
            let key = (sequence * lines + line) % 60
            switch key % 3 {
            case 0: text += "bench.requests.s\(sender).k\(key):1|c\n"
            case 1: text += "bench.queue.k\(key):\(sequence % 100)|g|#zone:z\(key % 4)\n"
            default: text += "bench.latency.k\(key):\(sequence % 250).5|ms|@0.5\n"
            }
        }
        return Array(text.utf8)
    }

    static func run(port: Int, senders: Int, linesPerDatagram: Int, seconds: Int) {
        let sent = Mutex((lines: 0, datagrams: 0, failures: 0))
        let start = DispatchTime.now().uptimeNanoseconds
        let deadline = start + UInt64(seconds) * 1_000_000_000
        DispatchQueue.concurrentPerform(iterations: senders) { sender in
            let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard socket >= 0 else { return }
            defer { close(socket) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let payloads = (0..<64).map { datagram(sender: sender, sequence: $0, lines: linesPerDatagram) }
            var lines = 0, datagrams = 0, failures = 0
            while DispatchTime.now().uptimeNanoseconds < deadline {
                let payload = payloads[datagrams % payloads.count]
                let result = payload.withUnsafeBytes { bytes in
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(socket, bytes.baseAddress, bytes.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
                if result == payload.count {
                    datagrams += 1
                    lines += linesPerDatagram
                } else {
                    failures += 1
                }
            }
            sent.withLock {
                $0.lines += lines
                $0.datagrams += datagrams
                $0.failures += failures
            }
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let total = sent.withLock { $0 }
        print("statsd: \(senders) senders, \(linesPerDatagram) lines per datagram, \(Stats.fixed(elapsed, 2)) s: \(total.lines) lines in \(total.datagrams) datagrams sent, \(total.failures) sends failed")
        print("statsd lines sent/s: \(Stats.rate(Double(total.lines) / elapsed))lines/s")
    }
}
