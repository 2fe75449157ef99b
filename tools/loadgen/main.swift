import Foundation
import BenchArguments

/// tacho-loadgen: load against a local `tacho serve` (issue 4's benchmark).
let usage = """
    usage: tacho-loadgen ingest --url http://127.0.0.1:PORT/api/v1/events [--batch 1000] [--seconds N] [--connections C]
           tacho-loadgen reads --url http://127.0.0.1:PORT/api/v1/health [--seconds N] [--connections C]
           tacho-loadgen remote-write --url http://127.0.0.1:PORT/api/v1/write [--connections 4] [--series 2000] [--requests 100] --base-ms MS
           tacho-loadgen sse --url http://127.0.0.1:PORT/api/v1/stream [--clients 1000] [--seconds N] [--server-pid PID]
           tacho-loadgen post --url http://127.0.0.1:PORT/v1/metrics --body FILE --content-type TYPE --items N [--seconds N] [--connections C]
           tacho-loadgen statsd --url udp://127.0.0.1:PORT [--connections SENDERS] [--lines 20] [--seconds N]
    """

do {
    let arguments = try Arguments(
        Array(CommandLine.arguments.dropFirst()),
        knownValues: [
            "--url", "--batch", "--seconds", "--connections", "--clients", "--server-pid", "--series", "--requests", "--base-ms",
            "--body", "--content-type", "--items", "--lines",
        ], knownFlags: [])
    guard let rawURL = arguments.string("--url") else { throw UsageError(message: "--url is required") }
    let seconds = try arguments.int("--seconds", default: 10)
    guard seconds <= 600 else { throw UsageError(message: "--seconds is limited to 600") }
    if arguments.mode == "statsd" {
        guard rawURL.hasPrefix("udp://127.0.0.1:"), let port = Int(rawURL.dropFirst("udp://127.0.0.1:".count)) else {
            throw UsageError(message: "statsd needs --url udp://127.0.0.1:PORT, got '\(rawURL)'")
        }
        StatsDLoad.run(port: port, senders: try arguments.int("--connections", default: 2), linesPerDatagram: try arguments.int("--lines", default: 20), seconds: seconds)
        exit(0)
    }
    let url = try Target.check(rawURL)
    switch arguments.mode {
    case "post":
        guard let body = arguments.string("--body"), let contentType = arguments.string("--content-type") else {
            throw UsageError(message: "post needs --body FILE and --content-type TYPE")
        }
        try await IngestLoad.post(
            url: url, bodyPath: body, contentType: contentType, items: try arguments.int("--items", default: 1), seconds: seconds,
            connections: try arguments.int("--connections", default: 4))
    case "ingest":
        try await IngestLoad.run(
            url: url, batch: try arguments.int("--batch", default: 1000), seconds: seconds,
            connections: try arguments.int("--connections", default: 4))
    case "reads":
        try await ReadLoad.run(url: url, seconds: seconds, connections: try arguments.int("--connections", default: 8))
    case "remote-write":
        guard let baseMs = arguments.string("--base-ms").flatMap({ Int64($0) }) else { throw UsageError(message: "--base-ms is required") }
        try await RemoteWriteLoad.run(
            url: url, connections: try arguments.int("--connections", default: 4), series: try arguments.int("--series", default: 2000),
            requests: try arguments.int("--requests", default: 100), baseMs: baseMs)
    case "sse":
        let clients = try arguments.int("--clients", default: 1000)
        guard clients <= 10_000 else { throw UsageError(message: "--clients is limited to 10000") }
        let pid = arguments.string("--server-pid").flatMap { Int($0) }
        try await SSELoad.run(url: url, clients: clients, seconds: seconds, serverPID: pid)
    default:
        throw UsageError(message: "unknown mode '\(arguments.mode)'")
    }
} catch let error as UsageError {
    FileHandle.standardError.write(Data("tacho-loadgen: \(error)\n\(usage)\n".utf8))
    exit(64)
} catch {
    FileHandle.standardError.write(Data("tacho-loadgen: failed: \(error)\n".utf8))
    exit(1)
}
