import Foundation
import Testing

/// A real Prometheus started with a `prometheus.yml` of the test's on a free loopback
/// port, its TSDB and log in `work`. The caller stops `program` on every path.
struct PrometheusPeer {
    let program: ExternalProgram
    let port: Int

    static func start(_ binary: String, config: String, in work: TemporaryDirectory) throws -> PrometheusPeer {
        try config.write(toFile: work.path + "/prometheus.yml", atomically: true, encoding: .utf8)
        let port = try freeLoopbackPort()
        let program = try ExternalProgram(binary, [
            "--config.file=\(work.path)/prometheus.yml", "--storage.tsdb.path=\(work.path)/prometheus",
            "--web.listen-address=127.0.0.1:\(port)",
        ], outputPath: work.path + "/prometheus.log")
        return PrometheusPeer(program: program, port: port)
    }
}

/// `GET path` on a loopback port; nil when the request fails.
func loopbackGet(_ port: Int, _ path: String) async -> (status: Int, body: String)? {
    try? await httpRequest(port: port, method: "GET", path: path)
}

/// Expects Tacho and Prometheus to answer each path with the same status and the same
/// JSON but for `timeKeys` (see `comparableJSON`).
func expectSameAnswers(_ paths: [String], tacho: Int, prometheus: Int, leavingOut timeKeys: [String]) async throws {
    for path in paths {
        let fromPrometheus = try #require(await loopbackGet(prometheus, path))
        let fromTacho = try #require(await loopbackGet(tacho, path))
        #expect(fromTacho.status == fromPrometheus.status, "\(path)")
        let tachoAnswer = try comparableJSON(fromTacho.body, leavingOut: timeKeys)
        let prometheusAnswer = try comparableJSON(fromPrometheus.body, leavingOut: timeKeys)
        #expect(tachoAnswer == prometheusAnswer, "\(path): Tacho answered\n\(tachoAnswer)\nPrometheus answered\n\(prometheusAnswer)")
    }
}

/// A Prometheus API answer without what differs by when each server worked (`timeKeys`:
/// evaluation and scrape times and durations, `activeAt`), keys sorted, alerts in label
/// order and targets in URL order (Prometheus lists both unordered).
func comparableJSON(_ body: String, leavingOut timeKeys: [String]) throws -> String {
    func strip(_ value: Any) -> Any {
        if var object = value as? [String: Any] {
            for key in timeKeys { object[key] = nil }
            for (key, inner) in object { object[key] = strip(inner) }
            if let alerts = object["alerts"] as? [Any] {
                func key(_ alert: Any) -> String {
                    let labels = (alert as? [String: Any])?["labels"] ?? [:]
                    let data = (try? JSONSerialization.data(withJSONObject: labels, options: .sortedKeys)) ?? Data()
                    return String(decoding: data, as: UTF8.self)
                }
                object["alerts"] = alerts.sorted { key($0) < key($1) }
            }
            if let targets = object["activeTargets"] as? [[String: Any]] {
                object["activeTargets"] = targets.sorted { ($0["scrapeUrl"] as? String ?? "") < ($1["scrapeUrl"] as? String ?? "") }
            }
            return object
        }
        if let array = value as? [Any] { return array.map(strip) }
        return value
    }
    let parsed = try JSONSerialization.jsonObject(with: Data(body.utf8))
    let data = try JSONSerialization.data(withJSONObject: strip(parsed), options: [.sortedKeys, .prettyPrinted])
    return String(decoding: data, as: UTF8.self)
}

