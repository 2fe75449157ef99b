import BenchArguments

/// Refuses any URL that is not plain HTTP on 127.0.0.1: the load generator is for
/// a local release build only.
enum Target {
    static func check(_ url: String) throws(UsageError) -> String {
        guard url.hasPrefix("http://127.0.0.1:") || url.hasPrefix("http://127.0.0.1/") else {
            throw UsageError(message: "only http://127.0.0.1 URLs are allowed, got '\(url)'")
        }
        return url
    }

    /// The scheme, host and port of `url` (`http://127.0.0.1:PORT`).
    static func origin(_ url: String) -> String {
        let rest = url.dropFirst("http://".count)
        let hostPort = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return "http://" + hostPort
    }
}
