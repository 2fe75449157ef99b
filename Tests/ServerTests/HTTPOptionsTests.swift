import Testing
@testable import Server

@Suite struct HTTPOptionsTests {
    @Test func defaults_areValid_andMatchDesign() throws {
        let options = ServerOptions()
        try options.validate()
        #expect(options.host == "127.0.0.1")
        #expect(options.port == 8080)
        #expect(options.dataDirectory == "./.tacho")
        #expect(options.bodyBytesMax == 16 * 1024 * 1024)
        #expect(options.sseKeepAliveMs == 15_000)
        #expect(options.collectIntervalMs == 1000)
    }

    @Test func validate_reportsEveryProblemAtOnce() {
        var options = ServerOptions()
        options.port = 70_000
        options.bodyBytesMax = 10
        options.sseClientsMax = 100_000
        options.sseClientBytesMax = 256 << 20
        #expect(throws: ServerOptionsError.self) { try options.validate() }
        do {
            try options.validate()
        } catch {
            // Port, body limit, SSE memory, and SSE clients beyond --connections-max.
            #expect(error.problems.count == 4)
        }
    }

    @Test func checkpointInterval_reachesTheHost_andOutsideItsRangeIsRefused() throws {
        var options = ServerOptions()
        #expect(options.checkpointIntervalMs == 60_000)
        options.checkpointIntervalMs = 200
        try options.validate()
        #expect(TachoApp.hostOptions(options).checkpointInterval == .milliseconds(200))
        options.checkpointIntervalMs = 50
        #expect(throws: ServerOptionsError.self) { try options.validate() }
    }

    @Test func validate_acceptsPortZero_whichAsksTheSystemForAFreePort() throws {
        var options = ServerOptions()
        options.port = 0
        try options.validate()
        options.port = -1
        #expect(throws: ServerOptionsError.self) { try options.validate() }
    }

    @Test func token_flagWins_thenEnvironment_emptyMeansNone() {
        #expect(ServerOptions.resolveToken(flag: "a", environment: ["TACHO_TOKEN": "b"]) == "a")
        #expect(ServerOptions.resolveToken(flag: nil, environment: ["TACHO_TOKEN": "b"]) == "b")
        #expect(ServerOptions.resolveToken(flag: "", environment: ["TACHO_TOKEN": ""]) == nil)
    }

    @Test func fsync_parsesCommandLineWords() {
        #expect(ServerOptions.Fsync(argument: "always") == .always)
        #expect(ServerOptions.Fsync(argument: "interval") == .interval(milliseconds: 1000))
        #expect(ServerOptions.Fsync(argument: "NEVER") == .never)
        #expect(ServerOptions.Fsync(argument: "sometimes") == nil)
    }

    @Test func bearerToken_comparesWholeToken() {
        let token = BearerToken("abc")!
        #expect(token.accepts(authorization: "Bearer abc"))
        #expect(token.accepts(authorization: "bearer abc"))
        #expect(!token.accepts(authorization: "Bearer abcd"))
        #expect(!token.accepts(authorization: "Bearer ab"))
        #expect(!token.accepts(authorization: "Bearer "))
        #expect(!token.accepts(authorization: nil))
        #expect(BearerToken("") == nil)
        #expect(!BearerToken.constantTimeEqual([], [1]))
        #expect(BearerToken.constantTimeEqual([1, 2], [1, 2]))
    }
}
