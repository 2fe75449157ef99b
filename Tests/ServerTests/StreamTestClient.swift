import Dispatch
import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A blocking HTTP/1.1 client over a raw loopback socket, for streams that never
/// end and for clients that must read slowly. Blocking calls run on Dispatch's
/// threads, never on the cooperative pool the server shares.
final class RawHTTPConnection: @unchecked Sendable {
    private let fd: Int32
    private var closed = false

    struct ConnectError: Error, CustomStringConvertible {
        let errno: Int32
        var description: String { "connect to 127.0.0.1 failed: errno \(errno)" }
    }

    /// - Parameter receiveBufferBytes: a small kernel receive buffer makes a client slow to drain.
    init(port: Int, receiveBufferBytes: Int32? = nil) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0, "socket() failed")
        if var size = receiveBufferBytes {
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let error = errno
            Glibc.close(fd)
            throw ConnectError(errno: error)
        }
    }

    deinit { close() }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return }
            sent += n
        }
    }

    /// Up to `maxBytes`, waiting at most `timeoutMs`: empty on timeout, nil at end of stream.
    func receive(maxBytes: Int = 65536, timeoutMs: Int32) -> [UInt8]? {
        var pollDescriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let ready = poll(&pollDescriptor, 1, timeoutMs)
        if ready == 0 { return [] }
        var buffer = [UInt8](repeating: 0, count: maxBytes)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, maxBytes, 0) }
        if n <= 0 { return nil }
        return Array(buffer[..<n])
    }

    func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(fd)
    }
}

/// Runs blocking work off the cooperative pool.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// One parsed server-sent event.
struct ReceivedEvent: Sendable, Equatable {
    var event: String
    var id: UInt64?
    var data: String
}

/// Reads an SSE response: the status line and headers, then the chunked body,
/// parsed into events as the WHATWG parser would.
final class SSETestClient: @unchecked Sendable {
    let connection: RawHTTPConnection
    private var raw: [UInt8] = []
    private var body: [UInt8] = []
    private var headersDone = false
    private(set) var status = 0
    private(set) var headers: [String: String] = [:]
    private var ended = false

    init(port: Int, path: String = "/api/v1/stream", lastEventID: UInt64? = nil, receiveBufferBytes: Int32? = nil) throws {
        connection = try RawHTTPConnection(port: port, receiveBufferBytes: receiveBufferBytes)
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
        if let lastEventID { request += "Last-Event-ID: \(lastEventID)\r\n" }
        connection.send(request + "\r\n")
    }

    /// The next event, or nil when the stream ended or `timeoutMs` passed.
    func next(timeoutMs: Int = 10_000) -> ReceivedEvent? {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        while true {
            if let event = takeEvent() { return event }
            if ended { return nil }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return nil }
            guard let bytes = connection.receive(timeoutMs: Int32(max(1, (deadline - now) / 1_000_000))) else {
                ended = true
                continue
            }
            raw.append(contentsOf: bytes)
            decode()
        }
    }

    /// Reads until the response head has arrived: from then on the server has
    /// subscribed this client, so what is appended next reaches it. False when
    /// `timeoutMs` passed or the stream ended first.
    func waitForHead(timeoutMs: Int = 30_000) -> Bool {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        while !headersDone, !ended {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return false }
            guard let bytes = connection.receive(timeoutMs: Int32(max(1, (deadline - now) / 1_000_000))) else {
                ended = true
                break
            }
            raw.append(contentsOf: bytes)
            decode()
        }
        return headersDone
    }

    /// Events until `done` holds for what was received, the stream ends, or
    /// `timeoutMs` passes in all (keep-alives and summaries never extend it).
    func events(timeoutMs: Int = 30_000, until done: ([ReceivedEvent]) -> Bool) -> [ReceivedEvent] {
        var seen: [ReceivedEvent] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        while !done(seen) {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline, let event = next(timeoutMs: max(1, Int((deadline - now) / 1_000_000))) else { break }
            seen.append(event)
        }
        return seen
    }

    /// Reads until the server closes the stream; the events received on the way.
    func drain(timeoutMs: Int = 20_000) -> (events: [ReceivedEvent], ended: Bool) {
        var events: [ReceivedEvent] = []
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            guard let event = next(timeoutMs: 500) else {
                if ended { return (events, true) }
                continue
            }
            events.append(event)
        }
        return (events, ended)
    }

    var isEnded: Bool { ended }

    private func decode() {
        if !headersDone {
            guard let end = find([13, 10, 13, 10], in: raw) else { return }
            let head = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
            status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
            for line in head.dropFirst() {
                guard let colon = line.firstIndex(of: ":") else { continue }
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            raw.removeFirst(end + 4)
            headersDone = true
        }
        // Chunked transfer encoding: size line, data, CRLF.
        while let lineEnd = find([13, 10], in: raw) {
            let sizeText = String(decoding: raw[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { return }
            if size == 0 {
                ended = true
                raw.removeAll()
                return
            }
            guard raw.count >= lineEnd + 2 + size + 2 else { return }
            body.append(contentsOf: raw[(lineEnd + 2)..<(lineEnd + 2 + size)])
            raw.removeFirst(lineEnd + 2 + size + 2)
        }
    }

    private func takeEvent() -> ReceivedEvent? {
        while let end = find([10, 10], in: body) {
            let block = String(decoding: body[..<end], as: UTF8.self)
            body.removeFirst(end + 2)
            var event = ReceivedEvent(event: "message", id: nil, data: "")
            var dataLines: [String] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") { continue }
                if line.hasPrefix("event: ") { event.event = String(line.dropFirst(7)) }
                if line.hasPrefix("id: ") { event.id = UInt64(line.dropFirst(4)) }
                if line.hasPrefix("data: ") { dataLines.append(String(line.dropFirst(6))) }
            }
            // Blocks with only a retry or a comment dispatch nothing.
            guard !dataLines.isEmpty else { continue }
            event.data = dataLines.joined(separator: "\n")
            return event
        }
        return nil
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<(index + needle.count)]) == needle { return index }
        }
        return nil
    }
}

/// One request with `Connection: close`, answered whole.
func httpRequest(port: Int, method: String, path: String, headers: [String: String] = [:], body: String = "") async throws -> (status: Int, body: String) {
    try await offPool {
        let connection = try RawHTTPConnection(port: port)
        defer { connection.close() }
        var request = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        connection.send(request + "\r\n" + body)
        var raw: [UInt8] = []
        while let bytes = connection.receive(timeoutMs: Int32(10_000 * TestEnvironment.slowdown)), !bytes.isEmpty { raw.append(contentsOf: bytes) }
        let text = String(decoding: raw, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return (0, text) }
        let head = text[..<split.lowerBound]
        let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
        var payload = String(text[split.upperBound...])
        if head.lowercased().contains("transfer-encoding: chunked") { payload = dechunk(payload) }
        return (status, payload)
    }
}

private func dechunk(_ text: String) -> String {
    var rest = Substring(text)
    var out = ""
    while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
        let start = lineEnd.upperBound
        let bytes = Array(rest[start...].utf8)
        out += String(decoding: bytes[..<min(size, bytes.count)], as: UTF8.self)
        rest = Substring(String(decoding: bytes[min(size + 2, bytes.count)...], as: UTF8.self))
    }
    return out
}
