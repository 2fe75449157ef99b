/// A URL `tacho serve --scrape` pulls Prometheus text from, with the labels its
/// samples get: `job` (from `--scrape-job`) and `instance` (the URL's host and port,
/// as Prometheus sets it).
public struct ScrapeTarget: Sendable, Equatable {
    public let url: String
    public let instance: String

    /// nil when `url` is not an `http://` or `https://` URL with a host.
    public init?(url: String) {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("http://") { scheme = "http://" } else if lowered.hasPrefix("https://") { scheme = "https://" } else { return nil }
        let rest = url.dropFirst(scheme.count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let hostPort = authority.split(separator: "@").last.map(String.init) ?? ""
        guard !hostPort.isEmpty else { return nil }
        self.url = authority.count == rest.count ? url + "/metrics" : url
        let hasPort = hostPort.hasPrefix("[") ? hostPort.contains("]:") : hostPort.contains(":")
        self.instance = hasPort ? hostPort : hostPort + (scheme == "https://" ? ":443" : ":80")
    }
}
