import EventStore
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Hummingbird
import HummingbirdTesting
import Testing
@testable import Server

/// The foreign-format write routes on a `RecordingLog`, in-process.
func withForeignIngestServer(
    token: String? = nil, bodyBytesMax: Int = 16 * 1024 * 1024, metrics: EngineMetrics? = nil, nowNs: Int64 = 99,
    _ body: @escaping @Sendable (RecordingLog, any TestClientProtocol) async throws -> Void
) async throws {
    let log = RecordingLog()
    let router = Router()
    router.middlewares.add(ErrorJSONMiddleware())
    let pipeline = IngestPipeline(
        append: { try await log.append($0) }, bodyBytesMax: bodyBytesMax, token: token, metrics: metrics, nowNs: { nowNs })
    RemoteWriteController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
    PrometheusImportController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
    InfluxWriteController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
    OTLPMetricsController<BasicRequestContext>(pipeline: pipeline).addRoutes(to: router)
    try await Application(router: router).test(.router) { client in try await body(log, client) }
}

/// The `detail` of a JSON error answer.
func errorDetail(_ response: TestResponse) -> String {
    guard case .string(let detail)? = (try? JSONParser.parse(String(buffer: response.body)))?["detail"] else {
        return "<no detail in \(String(buffer: response.body))>"
    }
    return detail
}

/// The metric samples of recorded events, as (name, labels, value, kind, time).
func metricSamples(_ events: [Event]) -> [(name: String, labels: [String: String], value: Double, kind: MetricKind, timeNs: Int64)] {
    events.compactMap { event in
        guard case .metric(let sample) = event.body else { return nil }
        return (sample.series.name, sample.series.labels.dictionary, sample.value, sample.kind, event.timeNs)
    }
}

/// Writes the protobuf wire format: what a remote-write sender's generated code does.
struct ProtobufWriter {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func key(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }

    mutating func varintField(_ field: UInt64, _ value: UInt64) {
        key(field, 0)
        varint(value)
    }

    mutating func doubleField(_ field: UInt64, _ value: Double) {
        key(field, 1)
        var bits = value.bitPattern
        for _ in 0..<8 {
            bytes.append(UInt8(bits & 0xFF))
            bits >>= 8
        }
    }

    mutating func bytesField(_ field: UInt64, _ value: [UInt8]) {
        key(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    mutating func stringField(_ field: UInt64, _ value: String) { bytesField(field, Array(value.utf8)) }
}

/// A remote-write `WriteRequest` built field by field.
enum RemoteWriteRequest {
    struct Series {
        var labels: [(String, String)]
        var samples: [(Double, Int64)]
        var exemplars = 0
        var histograms = 0
    }

    static func encode(_ series: [Series], metadata: [(type: UInt64, family: String)] = []) -> [UInt8] {
        var request = ProtobufWriter()
        for one in series {
            var message = ProtobufWriter()
            for (name, value) in one.labels {
                var label = ProtobufWriter()
                label.stringField(1, name)
                label.stringField(2, value)
                message.bytesField(1, label.bytes)
            }
            for (value, timestamp) in one.samples {
                var sample = ProtobufWriter()
                sample.doubleField(1, value)
                sample.varintField(2, UInt64(bitPattern: timestamp))
                message.bytesField(2, sample.bytes)
            }
            for _ in 0..<one.exemplars {
                var exemplar = ProtobufWriter()
                exemplar.doubleField(2, 1)
                message.bytesField(3, exemplar.bytes)
            }
            for _ in 0..<one.histograms {
                var histogram = ProtobufWriter()
                histogram.varintField(1, 3)
                message.bytesField(4, histogram.bytes)
            }
            request.bytesField(1, message.bytes)
        }
        for (type, family) in metadata {
            var message = ProtobufWriter()
            message.varintField(1, type)
            message.stringField(2, family)
            message.stringField(4, "help text")
            request.bytesField(3, message.bytes)
        }
        return request.bytes
    }

    static func snappy(_ series: [Series], metadata: [(type: UInt64, family: String)] = []) -> ByteBuffer {
        ByteBuffer(bytes: SnappyBlock.compress(encode(series, metadata: metadata)))
    }

    static let headers: HTTPFields = [.contentType: "application/x-protobuf", .contentEncoding: "snappy"]
}

/// A free loopback TCP port (bound, read, released).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw ExternalProgramError(description: "no free loopback port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

struct ExternalProgramError: Error, CustomStringConvertible {
    let description: String
}

/// A child process (prometheus, python) killed on `stop()` and when released; its
/// output goes to a file for the failure message.
final class ExternalProgram: @unchecked Sendable {
    let process = Process()
    let outputPath: String

    /// The absolute path of `name` on PATH, nil when absent.
    static func find(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    init(_ path: String, _ arguments: [String], outputPath: String, directory: String? = nil) throws {
        self.outputPath = outputPath
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes; whether it held.
func poll(timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now.advanced(by: timeout)
    while clock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
