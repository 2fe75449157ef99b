import Dispatch
import Foundation
import Testing
@testable import Server

/// Reads from `connection` until the server closes it; true when it did within
/// `timeoutMs`, false when the connection was still open then. The bytes received on
/// the way are returned too.
private func readUntilClosed(_ connection: RawHTTPConnection, timeoutMs: Int = 20_000) -> (closed: Bool, received: String) {
    var received: [UInt8] = []
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
    while true {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { return (false, String(decoding: received, as: UTF8.self)) }
        guard let bytes = connection.receive(timeoutMs: Int32(max(1, (deadline - now) / 1_000_000))) else {
            return (true, String(decoding: received, as: UTF8.self))
        }
        received.append(contentsOf: bytes)
    }
}

/// Reads until `needle` has been received `count` times, or the connection closes,
/// or `timeoutMs` passes; how many were seen and whether the connection closed.
private func readOccurrences(
    of needle: String, count: Int, on connection: RawHTTPConnection, timeoutMs: Int = 20_000
) -> (seen: Int, closed: Bool) {
    var text = ""
    let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeoutMs) * 1_000_000
    while text.components(separatedBy: needle).count - 1 < count {
        let now = DispatchTime.now().uptimeNanoseconds
        guard now < deadline else { break }
        guard let bytes = connection.receive(timeoutMs: Int32(max(1, (deadline - now) / 1_000_000))) else {
            return (text.components(separatedBy: needle).count - 1, true)
        }
        text += String(decoding: bytes, as: UTF8.self)
    }
    return (text.components(separatedBy: needle).count - 1, false)
}

/// A live server for `body`, stopped on every exit path.
private func withServer(
    configure: (inout ServerOptions) -> Void, _ body: (LiveServer) async throws -> Void
) async throws {
    let server = try await LiveServer.start(configure: configure)
    do {
        try await body(server)
    } catch {
        _ = try? await server.stop()
        throw error
    }
    try await server.stop()
}

@Suite(.serialized) struct ConnectionLimitTests {
    /// Short deadlines so each test observes a close quickly; the reads allow 20 s.
    static func shortDeadlines(_ options: inout ServerOptions) {
        options.requestHeadTimeoutMs = 300
        options.idleTimeoutMs = 300
        options.requestBodyTimeoutMs = 300
    }

    @Test func connectionThatSendsNothing_isClosedAfterTheHeadTimeout_andCounted() async throws {
        try await withServer(configure: Self.shortDeadlines) { server in
            let silent = try RawHTTPConnection(port: server.port)
            let outcome = try await offPool { readUntilClosed(silent) }
            #expect(outcome.closed, "the server closed a connection that never sent a head")
            #expect(outcome.received.isEmpty)
            #expect(server.app.engine.metrics.snapshot().connectionsTimedOut[.head] == 1)
        }
    }

    @Test func halfSentRequestHead_isClosed() async throws {
        try await withServer(configure: Self.shortDeadlines) { server in
            let slowloris = try RawHTTPConnection(port: server.port)
            slowloris.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            let outcome = try await offPool { readUntilClosed(slowloris) }
            #expect(outcome.closed, "a head that never ends does not hold its connection")
            // Everyone else is still answered.
            let answer = try await httpRequest(port: server.port, method: "GET", path: "/api/v1/health")
            #expect(answer.status == 200)
        }
    }

    @Test func bodyTrickledPastTheBodyTimeout_isClosed_andNothingIsAppended() async throws {
        try await withServer(configure: Self.shortDeadlines) { server in
            let slowBody = try RawHTTPConnection(port: server.port)
            slowBody.send("POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{\"type\":")
            let outcome = try await offPool { readUntilClosed(slowBody) }
            #expect(outcome.closed, "a body that never ends does not hold its connection")
            #expect(!outcome.received.hasPrefix("HTTP/1.1 200"), "nothing was accepted")
            #expect(server.app.engine.metrics.snapshot().connectionsTimedOut[.body] == 1)
            #expect(server.app.engine.log.highWaterMark == 0, "no event was appended")
        }
    }

    @Test func keptAliveConnection_isClosedAfterTheIdleTimeout_onceItsResponseEnded() async throws {
        try await withServer(configure: Self.shortDeadlines) { server in
            let client = try RawHTTPConnection(port: server.port)
            client.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let outcome = try await offPool { readUntilClosed(client) }
            #expect(outcome.received.hasPrefix("HTTP/1.1 200"), "the request was answered first: \(outcome.received.prefix(80))")
            #expect(outcome.closed, "then the idle connection was closed")
            #expect(server.app.engine.metrics.snapshot().connectionsTimedOut[.idle] == 1)
        }
    }

    @Test func connectionsBeyondTheMaximum_get503WithRetryAfter_andAPlaceFreesWhenOneCloses() async throws {
        try await withServer(configure: { options in
            options.connectionsMax = 4
            options.sseClientsMax = 4
            options.requestHeadTimeoutMs = 60_000
        }) { server in
            var held: [RawHTTPConnection] = []
            for _ in 0..<4 {
                let connection = try RawHTTPConnection(port: server.port)
                held.append(connection)
            }
            // The server counts a connection when its channel becomes active; wait for all four.
            let gateFull = try await offPool {
                let deadline = DispatchTime.now().uptimeNanoseconds + 20_000_000_000
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    if server.app.engine.metrics.snapshot().connectionsOpen == 4 { return true }
                    usleep(1000)
                }
                return false
            }
            #expect(gateFull)
            let refused = try RawHTTPConnection(port: server.port)
            refused.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let outcome = try await offPool { readUntilClosed(refused) }
            #expect(outcome.received.hasPrefix("HTTP/1.1 503"), "refused: \(outcome.received.prefix(80))")
            #expect(outcome.received.contains("Retry-After: 5"))
            #expect(outcome.received.contains("--connections-max"))
            #expect(outcome.closed)
            #expect(server.app.engine.metrics.snapshot().connectionsRefused >= 1)

            held.removeFirst().close()
            let answered = try await offPool {
                // The freed place is taken back once the server has seen the close.
                let deadline = DispatchTime.now().uptimeNanoseconds + 20_000_000_000
                while DispatchTime.now().uptimeNanoseconds < deadline {
                    let client = try RawHTTPConnection(port: server.port)
                    client.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    let answer = readUntilClosed(client)
                    if answer.received.hasPrefix("HTTP/1.1 200") { return true }
                    usleep(1000)
                }
                return false
            }
            #expect(answered, "a request is answered once a held connection closed")
            held.forEach { $0.close() }
        }
    }

    /// A connection that only carried queries never had a task (`HTTPServer`); the stop
    /// must still close it, as it closes one the router served, and then end.
    @Test func gracefulStop_closesKeptAliveConnections_ofQueriesAndOfTheRouter_andEnds() async throws {
        let server = try await LiveServer.start { $0.shutdownTimeoutMs = 60_000 }
        let queries = try RawHTTPConnection(port: server.port)
        let router = try RawHTTPConnection(port: server.port)
        do {
            queries.send("GET /api/v1/query?query=1%2B1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            router.send("GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let answers = try await offPool {
                (readOccurrences(of: #""status":"success""#, count: 1, on: queries), readOccurrences(of: "HTTP/1.1 200", count: 1, on: router))
            }
            #expect(answers.0.seen == 1 && !answers.0.closed, "the query was answered, the connection kept alive")
            #expect(answers.1.seen == 1 && !answers.1.closed, "the router's request was answered, the connection kept alive")
        } catch {
            _ = try? await server.stop()
            throw error
        }
        let took = try await server.stop()
        #expect(took < .milliseconds(60_000), "the stop ended by itself, not by its budget running out (\(took))")
        let closed = try await offPool { (readUntilClosed(queries).closed, readUntilClosed(router).closed) }
        #expect(closed.0, "the queries' connection was closed")
        #expect(closed.1, "the router's connection was closed")
        queries.close()
        router.close()
    }

    @Test func liveStream_outlivesTheIdleTimeout() async throws {
        try await withServer(configure: { options in
            Self.shortDeadlines(&options)
            options.sseKeepAliveMs = 100
        }) { server in
            let stream = try SSETestClient(port: server.port)
            #expect(try await offPool { stream.waitForHead() })
            // Ten keep-alives at 100 ms are a second: more than three idle timeouts.
            let observed = try await offPool { readOccurrences(of: ": keep-alive", count: 10, on: stream.connection) }
            #expect(!observed.closed, "the stream was not cut by the idle timeout")
            #expect(observed.seen >= 10)
            stream.connection.close()
        }
    }

    @Test func openFileLimitBelowTheConnectionMaximum_lowersIt_andSaysSo() throws {
        var options = ServerOptions()
        options.connectionsMax = 8192
        let warning = options.fitToOpenFileLimit(softLimit: 1024)
        #expect(options.connectionsMax == 1024 - OpenFileLimit.reservedDescriptors)
        #expect(options.sseClientsMax <= options.connectionsMax)
        #expect(warning?.contains("1024") == true)
        try options.validate()

        var roomy = ServerOptions()
        #expect(roomy.fitToOpenFileLimit(softLimit: 1 << 20) == nil)
        #expect(roomy.connectionsMax == 8192)
    }

    @Test func limitsAreCheckedTogether_atStart() {
        var options = ServerOptions()
        options.connectionsMax = 10
        options.sseClientsMax = 20
        options.requestHeadTimeoutMs = 5
        options.idleTimeoutMs = 0
        #expect(throws: ServerOptionsError.self) { try options.validate() }
        do {
            try options.validate()
        } catch {
            #expect(error.problems.count == 3, "every problem is reported at once: \(error.problems)")
        }
    }

    @Test func raisingTheOpenFileLimit_reachesTheHardLimit() throws {
        let raised = try #require(OpenFileLimit.raiseToHard())
        #expect(raised.soft == raised.hard)
        #expect(raised.softBefore <= raised.soft)
    }
}
