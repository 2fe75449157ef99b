import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Examples/InstrumentedService: a swift-metrics service recording into Tacho in-process.
@Suite(.serialized) struct ExampleServiceTests {
    static var binary: String {
        URL(fileURLWithPath: ServeProcess.binaryPath).deletingLastPathComponent().appendingPathComponent("tacho-example-service").path
    }

    @Test func theExampleService_servesItsOwnMetrics_andTimersAsOperations_inProcess() async throws {
        let directory = try TemporaryDirectory("example")
        defer { directory.remove() }
        let service = try await ServeProcess(command: nil, arguments: ["--data", directory.path, "--port", "0"], binary: Self.binary)
        defer { service.signal(SIGKILL) }
        let counted = await poll(timeout: .seconds(20)) {
            let body = (try? await httpRequest(port: service.port, method: "GET", path: "/api/v1/query?query=orders_total").body) ?? ""
            return body.contains(#""service":"orders""#)
        }
        #expect(counted, "the swift-metrics counter reached the log and PromQL")
        let query = "/api/v1/query?" + formQuery([("query", "sum by (operation) (count_over_time(tacho_operation_duration_milliseconds[1m]))")])
        let timed = await poll(timeout: .seconds(20)) {
            ((try? await httpRequest(port: service.port, method: "GET", path: query).body) ?? "").contains("POST /orders")
        }
        #expect(timed, "timers became operations")
        #expect(try await httpRequest(port: service.port, method: "GET", path: "/").status == 200, "the dashboard is served")
        service.signal(SIGTERM)
        #expect(try await service.waitForExit(timeout: 20) == 0)
    }
}
