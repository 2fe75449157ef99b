import Foundation

/// Just enough of the W3C WebDriver protocol to drive headless Chromium through
/// chromedriver: a session, navigation, scripts and a screenshot. Every call goes
/// through `LoopbackHTTP` and so ends (answer or error) within its deadline.
struct WebDriver: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let driverPort: Int
    let sessionID: String

    /// Deadline of one ordinary call; generous because the whole suite runs in
    /// parallel on two cores, yet short enough that a stall fails the test quickly.
    static let callTimeoutMs = 30_000
    /// Starting Chromium is the slowest call on a loaded machine.
    static let sessionTimeoutMs = 60_000

    static func startSession(driverPort: Int, chromium: String, userDataDirectory: String,
                             widthPx: Int, heightPx: Int) async throws -> WebDriver {
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    // Chromium's own limits, below ours, so that it answers with an error
                    // instead of leaving our request to hit its deadline.
                    "timeouts": ["script": 20_000, "pageLoad": 40_000, "implicit": 0],
                    "goog:chromeOptions": [
                        "binary": chromium,
                        // The user data directory is unique per run: it marks this run's
                        // Chromium processes so that cleanup kills exactly those.
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                 "--no-first-run", "--disable-extensions", "--disable-background-networking",
                                 "--user-data-dir=\(userDataDirectory)",
                                 "--window-size=\(widthPx),\(heightPx)", "--hide-scrollbars"],
                    ],
                ],
            ],
        ]
        let value = try await call(driverPort, "POST", "/session", body: capabilities, timeoutMs: sessionTimeoutMs)
        guard let object = value as? [String: Any], let id = object["sessionId"] as? String else {
            throw Failure(description: "chromedriver gave no session id: \(String(describing: value))")
        }
        return WebDriver(driverPort: driverPort, sessionID: id)
    }

    private var session: String { "/session/\(sessionID)" }

    func navigate(_ url: String) async throws {
        _ = try await Self.call(driverPort, "POST", session + "/url", body: ["url": url], timeoutMs: 45_000)
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
    @discardableResult
    func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await Self.call(driverPort, "POST", session + "/execute/sync", body: ["script": script, "args": args], timeoutMs: Self.callTimeoutMs)
    }

    /// Polls `script` until it returns true, or fails after `timeoutMs` naming `what`.
    /// The polling interval is a pause between checks, not a synchronisation.
    func waitUntil(_ what: String, timeoutMs: Int = 45_000, _ script: String, _ args: [Any] = []) async throws {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        var last: Any?
        while ContinuousClock.now < deadline {
            last = try await execute(script, args)
            if let done = last as? Bool, done { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out after \(timeoutMs) ms waiting for: \(what) (last answer: \(String(describing: last)))")
    }

    /// A Chrome DevTools Protocol command through chromedriver (e.g. a script that runs
    /// in every new document before the page's own).
    @discardableResult
    func devTools(_ command: String, _ params: [String: Any]) async throws -> Any? {
        try await Self.call(driverPort, "POST", session + "/goog/cdp/execute", body: ["cmd": command, "params": params], timeoutMs: Self.callTimeoutMs)
    }

    /// The viewport as PNG.
    func screenshotPNG() async throws -> Data {
        guard let base64 = try await Self.call(driverPort, "GET", session + "/screenshot", timeoutMs: Self.callTimeoutMs) as? String,
              let data = Data(base64Encoded: base64)
        else { throw Failure(description: "chromedriver returned no screenshot data") }
        return data
    }

    /// Ends the session (Chromium exits); errors are ignored, as cleanup kills what is left.
    func quit() async {
        _ = try? await Self.call(driverPort, "DELETE", session, timeoutMs: 10_000)
    }

    /// Polls chromedriver's /status until it answers ready.
    static func waitForDriver(port: Int, timeoutMs: Int) async throws {
        let deadline = ContinuousClock.now + .milliseconds(timeoutMs)
        var lastError: (any Error)?
        while ContinuousClock.now < deadline {
            do {
                if let value = try await call(port, "GET", "/status", timeoutMs: 5_000) as? [String: Any], value["ready"] as? Bool == true { return }
            } catch { lastError = error }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "chromedriver on port \(port) not ready after \(timeoutMs) ms (\(lastError.map { "\($0)" } ?? "not ready"))")
    }

    private static func call(_ port: Int, _ method: String, _ path: String, body: Any? = nil, timeoutMs: Int) async throws -> Any? {
        let payload = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await LoopbackHTTP.request(port: port, method: method, path: path, body: payload, timeoutMs: timeoutMs)
        let json = try? JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed])
        guard let object = json as? [String: Any] else {
            throw Failure(description: "webdriver \(method) \(path): HTTP \(response.status), not JSON: \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        if let value = object["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "webdriver \(method) \(path): \(error): \(String(describing: value["message"] ?? "").prefix(500))")
        }
        return object["value"]
    }
}
