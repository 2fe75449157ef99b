import Foundation
import Testing
@testable import Server

/// Requests that are not HTTP/1.1, over a real server: each is answered 400 and its
/// connection closed; none holds a connection, none stops the server. Found by the
/// hostile-load test (issue 12).
@Suite(.serialized) struct MalformedRequestTests {
    static let firstHeads: [String] = [
        "GARBAGE\r\n\r\n",
        "GET /api/v1/health HTTP/1.1\r\nHost x\r\n\r\n",
        "GET /api/v1/health HTTP/9.9\r\nHost: x\r\n\r\n",
        "POST /api/v1/events HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    ]

    @Test(arguments: firstHeads)
    func firstHeadThatDoesNotParse_isAnswered400WithAJSONError_andClosed(_ head: String) async throws {
        let server = try await LiveServer.start()
        do {
            let answer = try await offPool {
                rawExchange(port: server.port, request: Array(head.utf8), timeoutMs: 5_000)
            }
            #expect(answer.head.status == 400, "answered \(answer.head.status.map(String.init) ?? "nothing")")
            #expect(answer.head.headers["content-type"] == "application/json")
            let closed = try await offPool { () -> Bool in
                let connection = try RawHTTPConnection(port: server.port)
                connection.send(head)
                let deadline = Date().addingTimeInterval(5)
                while Date() < deadline {
                    guard let bytes = connection.receive(timeoutMs: 100) else { return true }
                    _ = bytes
                }
                return false
            }
            #expect(closed, "the connection stayed open after the 400")
        } catch {
            _ = try? await server.stop()
            throw error
        }
        try await server.stop()
    }

    @Test func keptAliveConnection_whoseNextRequestDoesNotParse_gets400_andTheServerCarriesOn() async throws {
        let server = try await LiveServer.start()
        do {
            let received = try await offPool { () -> (text: String, closed: Bool) in
                let connection = try RawHTTPConnection(port: server.port)
                connection.send("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\nGARBAGE\r\n\r\n")
                var bytes: [UInt8] = []
                let deadline = Date().addingTimeInterval(5)
                while Date() < deadline {
                    guard let chunk = connection.receive(timeoutMs: 100) else { return (String(decoding: bytes, as: UTF8.self), true) }
                    bytes += chunk
                }
                return (String(decoding: bytes, as: UTF8.self), false)
            }
            #expect(received.text.hasPrefix("HTTP/1.1 200"))
            #expect(received.text.contains("HTTP/1.1 400"), "the second request was not answered 400: \(received.text.suffix(200))")
            #expect(received.closed)
            #expect(try await httpRequest(port: server.port, method: "GET", path: "/api/v1/health").status == 200)
        } catch {
            _ = try? await server.stop()
            throw error
        }
        try await server.stop()
    }
}
