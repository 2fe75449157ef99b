import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Just enough of the W3C WebDriver protocol to drive headless Chromium through
/// chromedriver: a session, navigation, scripts, clicks and a screenshot.
struct WebDriver {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let baseURL: URL
    let sessionID: String

    static func startSession(driverPort: Int, chromium: String) async throws -> WebDriver {
        let base = URL(string: "http://127.0.0.1:\(driverPort)")!
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                 "--window-size=1440,2400", "--hide-scrollbars"],
                    ],
                ],
            ],
        ]
        let value = try await request(base.appendingPathComponent("session"), method: "POST", body: capabilities)
        guard let object = value as? [String: Any], let id = object["sessionId"] as? String else {
            throw Failure(description: "chromedriver gave no session id: \(String(describing: value))")
        }
        return WebDriver(baseURL: base, sessionID: id)
    }

    private var sessionURL: URL { baseURL.appendingPathComponent("session").appendingPathComponent(sessionID) }

    func navigate(_ url: String) async throws {
        _ = try await Self.request(sessionURL.appendingPathComponent("url"), method: "POST", body: ["url": url])
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page and returns its value.
    @discardableResult
    func execute(_ script: String, _ args: [Any] = []) async throws -> Any? {
        try await Self.request(sessionURL.appendingPathComponent("execute/sync"), method: "POST", body: ["script": script, "args": args])
    }

    /// Polls `script` until it returns true, or fails after `timeoutMs` naming `what`.
    func waitUntil(_ what: String, timeoutMs: Int = 20_000, _ script: String) async throws {
        let deadline = Date().addingTimeInterval(Double(timeoutMs) / 1000)
        while Date() < deadline {
            if let done = try await execute(script) as? Bool, done { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out after \(timeoutMs) ms waiting for: \(what)")
    }

    func screenshotPNG() async throws -> Data {
        guard let base64 = try await Self.request(sessionURL.appendingPathComponent("screenshot"), method: "GET", body: nil) as? String,
              let data = Data(base64Encoded: base64)
        else { throw Failure(description: "no screenshot data") }
        return data
    }

    func quit() async {
        _ = try? await Self.request(sessionURL, method: "DELETE", body: nil)
    }

    private static func request(_ url: URL, method: String, body: Any?) async throws -> Any? {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 60
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, _) = try await URLSession.shared.data(for: request)
        let json = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard let object = json as? [String: Any] else { return nil }
        if let value = object["value"] as? [String: Any], let error = value["error"] as? String {
            throw Failure(description: "webdriver \(method) \(url.path): \(error): \(value["message"] ?? "")")
        }
        return object["value"]
    }
}
