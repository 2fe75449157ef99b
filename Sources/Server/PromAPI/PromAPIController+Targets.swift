import EventStore
import Hummingbird
import PromQL
#if canImport(Glibc)
import Glibc
#endif

/// Prometheus's `/api/v1/targets` over `tacho serve --scrape`'s targets, in Prometheus
/// 2.42's shape: each target's labels, URL, health (`unknown` before its first scrape,
/// `up`, `down` with `lastError`), last scrape time and duration. `state=active`,
/// `dropped` or `any` (the default) chooses the lists; Tacho drops no target (it has
/// no relabelling), so `droppedTargets` is always empty.
extension PromAPIController {
    @Sendable func scrapeTargets(_ request: Request, context: Context) async throws -> Response {
        await answer {
            let parameters = try await PromAPIParameters.read(request)
            let state = (parameters.text("state") ?? "").lowercased()
            let showActive = state.isEmpty || state == "any" || state == "active"
            let board = targets
            return PromAPIJSON.success { writer in
                writer.beginObject()
                writer.key("activeTargets")
                writer.beginArray()
                if showActive, let board {
                    for status in board.snapshot { Self.write(status, board: board, to: &writer) }
                }
                writer.endArray()
                writer.key("droppedTargets")
                writer.beginArray()
                writer.endArray()
                writer.endObject()
            }
        }
    }

    private static func write(_ status: ScrapeStatusBoard.Status, board: ScrapeStatusBoard, to writer: inout JSONWriter) {
        let url = status.target.url
        let scheme = url.lowercased().hasPrefix("https://") ? "https" : "http"
        let afterScheme = url.dropFirst(scheme.count + 3)
        let pathAndQuery = afterScheme.drop { $0 != "/" }
        let path = pathAndQuery.prefix { $0 != "?" && $0 != "#" }
        let interval = Expr.duration(board.intervalMs)
        let timeout = Expr.duration(board.timeoutMs)
        writer.beginObject()
        writer.key("discoveredLabels")
        writer.beginObject()
        writer.member("__address__", status.target.instance)
        writer.member("__metrics_path__", path.isEmpty ? "/metrics" : String(path))
        writer.member("__scheme__", scheme)
        writer.member("__scrape_interval__", interval)
        writer.member("__scrape_timeout__", timeout)
        writer.member("job", board.job)
        writer.endObject()
        writer.key("labels")
        writer.beginObject()
        writer.member("instance", status.target.instance)
        writer.member("job", board.job)
        writer.endObject()
        writer.member("scrapePool", board.job)
        writer.member("scrapeUrl", url)
        writer.member("globalUrl", globalURL(scheme: scheme, instance: status.target.instance, rest: String(pathAndQuery)))
        writer.member("lastError", status.lastError)
        writer.member("lastScrape", status.lastScrapeNs.map(EventTime.formatRFC3339) ?? "0001-01-01T00:00:00Z")
        writer.member("lastScrapeDuration", status.lastScrapeSeconds)
        writer.member("health", status.health.rawValue)
        writer.member("scrapeInterval", interval)
        writer.member("scrapeTimeout", timeout)
        writer.endObject()
    }

    /// The target's URL as seen from elsewhere, as Prometheus writes it: a loopback host
    /// (`localhost`, `127.0.0.1`, `[::1]`) is replaced by this machine's host name.
    private static func globalURL(scheme: String, instance: String, rest: String) -> String {
        let host: Substring
        let port: Substring
        if instance.hasPrefix("["), let close = instance.firstIndex(of: "]") {
            host = instance[...close]
            port = instance[instance.index(after: close)...]
        } else if let colon = instance.lastIndex(of: ":") {
            host = instance[..<colon]
            port = instance[colon...]
        } else {
            host = Substring(instance)
            port = ""
        }
        guard ["localhost", "127.0.0.1", "[::1]"].contains(host.lowercased()), let name = hostName() else {
            return "\(scheme)://\(instance)\(rest)"
        }
        return "\(scheme)://\(name)\(port)\(rest)"
    }

    private static func hostName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return nil }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? nil : name
    }
}
