import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 over a raw loopback socket with one hard deadline per request.
///
/// Why not URLSession: the browser test's first runs stalled inside a URLSession call
/// past the test's time limit, and Swift Testing cannot stop a call that ignores
/// cancellation. Here every blocking step (connect, send, receive) is a poll() bounded
/// by what is left of the deadline, and the blocking runs on a Dispatch thread, never
/// on the cooperative pool that the rest of the suite (running in parallel) needs.
enum LoopbackHTTP {
    struct Response: Sendable {
        let status: Int
        let body: Data
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Largest response accepted: a full-page screenshot in base64 stays well below it.
    static let maxResponseBytes = 64 << 20

    /// `method path` on 127.0.0.1:`port`; throws when `timeoutMs` passes before the
    /// whole response has arrived. Always returns or throws within `timeoutMs` (plus
    /// the time to schedule a Dispatch thread).
    static func request(port: Int, method: String, path: String, body: Data? = nil,
                        contentType: String = "application/json", timeoutMs: Int) async throws -> Response {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result {
                    try blockingRequest(port: port, method: method, path: path, body: body, contentType: contentType,
                                        deadline: DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000)
                })
            }
        }
    }

    private static func blockingRequest(port: Int, method: String, path: String, body: Data?, contentType: String,
                                        deadline: UInt64) throws -> Response {
        let what = "\(method) http://127.0.0.1:\(port)\(path)"
        func remainingMs() throws -> Int32 {
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { throw Failure(description: "\(what): no complete answer before the deadline") }
            return Int32(clamping: max(1, (deadline - now) / 1_000_000))
        }

        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "\(what): socket() failed, errno \(errno)") }
        defer { close(fd) }
        // Non-blocking, so that connect and every read and write wait only in poll().
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)

        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            guard errno == EINPROGRESS else { throw Failure(description: "\(what): connect failed, errno \(errno)") }
            try wait(fd, for: Int16(POLLOUT), remainingMs(), what)
            var socketError: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
            guard socketError == 0 else { throw Failure(description: "\(what): connect failed, errno \(socketError)") }
        }

        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\nAccept: application/json\r\n"
        if let body { head += "Content-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n" }
        var outgoing = Array(head.utf8) + Array("\r\n".utf8)
        if let body { outgoing += body }
        var sent = 0
        while sent < outgoing.count {
            let n = outgoing[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            guard n < 0, errno == EAGAIN || errno == EWOULDBLOCK else { throw Failure(description: "\(what): send failed, errno \(errno)") }
            try wait(fd, for: Int16(POLLOUT), remainingMs(), what)
        }

        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let response = try parse(received, what) { return response }
            try wait(fd, for: Int16(POLLIN), remainingMs(), what)
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received.append(contentsOf: buffer[..<n])
                guard received.count <= maxResponseBytes else { throw Failure(description: "\(what): answer over \(maxResponseBytes) bytes") }
            } else if n == 0 {
                // Closed by the server: what arrived is the whole answer (no length given).
                guard let response = try parse(received, what, closed: true) else {
                    throw Failure(description: "\(what): connection closed after \(received.count) bytes, before a complete answer")
                }
                return response
            } else if errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR {
                throw Failure(description: "\(what): recv failed, errno \(errno)")
            }
        }
    }

    private static func wait(_ fd: Int32, for events: Int16, _ timeoutMs: Int32, _ what: String) throws {
        var descriptor = pollfd(fd: fd, events: events, revents: 0)
        let ready = poll(&descriptor, 1, timeoutMs)
        if ready < 0, errno == EINTR { return }
        guard ready > 0 else { throw Failure(description: "\(what): no answer within the deadline") }
    }

    /// The response if `raw` holds all of it (by Content-Length, chunked end, or close).
    private static func parse(_ raw: [UInt8], _ what: String, closed: Bool = false) throws -> Response? {
        guard let headEnd = find([13, 10, 13, 10], in: raw, from: 0) else { return nil }
        let headLines = String(decoding: raw[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let status = Int(headLines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let bodyStart = headEnd + 4
        if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard raw.count >= bodyStart + length else { return nil }
            return Response(status: status, body: Data(raw[bodyStart..<(bodyStart + length)]))
        }
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            var body: [UInt8] = []
            var index = bodyStart
            while let lineEnd = find([13, 10], in: raw, from: index) {
                let sizeText = String(decoding: raw[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw Failure(description: "\(what): bad chunk size '\(sizeText)'")
                }
                if size == 0 { return Response(status: status, body: Data(body)) }
                guard raw.count >= lineEnd + 2 + size + 2 else { return nil }
                body.append(contentsOf: raw[(lineEnd + 2)..<(lineEnd + 2 + size)])
                index = lineEnd + 2 + size + 2
            }
            return nil
        }
        return closed ? Response(status: status, body: Data(raw[bodyStart...])) : nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= start + needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
        }
        return nil
    }
}
