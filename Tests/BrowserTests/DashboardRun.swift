import EventStore
import Foundation
import Server

/// One run of the dashboard in a browser: a recorded demo directory, a real
/// `tacho serve` over it (with the live demo on), chromedriver and headless Chromium.
/// `stop()` is synchronous and bounded, for `defer`: whatever was started is killed
/// and the directory removed, on success, failure or a thrown error alike.
final class DashboardRun: @unchecked Sendable {
    let directory: String
    private(set) var server: ChildProcess?
    private(set) var browserProcesses: BrowserProcesses?
    private(set) var browser: WebDriver?
    private(set) var serverPort = 0
    private(set) var startNs: Int64 = 0

    var base: String { "http://127.0.0.1:\(serverPort)" }

    init() {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("tacho-browser-\(UUID().uuidString)").path
    }

    /// Records `recordedSeconds` of the seeded demo and starts the server over it while
    /// chromedriver and Chromium start (in parallel: the test's time is mostly these).
    func start(tacho: String, chromium: String, chromedriver: String, recordedSeconds: Int,
               viewportWidthPx: Int, viewportHeightPx: Int) async throws {
        async let serverStarted: Void = startServer(tacho: tacho, recordedSeconds: recordedSeconds)
        async let browserStarted: Void = startBrowser(chromium: chromium, chromedriver: chromedriver,
                                                      viewportWidthPx: viewportWidthPx, viewportHeightPx: viewportHeightPx)
        try await serverStarted
        try await browserStarted
    }

    private func startServer(tacho: String, recordedSeconds: Int) async throws {
        startNs = try await Self.recordDemo(seconds: recordedSeconds, into: directory)
        lap("recorded \(recordedSeconds) s of demo")
        let server = try ChildProcess(tacho, ["serve", "--data", directory, "--port", "0", "--demo", "--no-collect"])
        self.server = server
        let banner = try await server.line(containing: "serving http://127.0.0.1:", timeoutMs: 60_000)
        guard let range = banner.range(of: #"127\.0\.0\.1:\d+"#, options: .regularExpression),
              let port = Int(banner[range].split(separator: ":").last ?? "") else {
            throw WebDriver.Failure(description: "tacho serve printed no port: \(banner)")
        }
        serverPort = port
        try await waitUntilViewsCaughtUp()
        lap("server up, views caught up")
    }

    private func startBrowser(chromium: String, chromedriver: String, viewportWidthPx: Int, viewportHeightPx: Int) async throws {
        let processes = try BrowserProcesses(chromedriver: chromedriver)
        browserProcesses = processes
        try await WebDriver.waitForDriver(port: processes.driverPort, timeoutMs: 30_000)
        let browser = try await WebDriver.startSession(driverPort: processes.driverPort, chromium: chromium,
                                                       userDataDirectory: processes.userDataDirectory,
                                                       widthPx: viewportWidthPx, heightPx: viewportHeightPx)
        self.browser = browser
        // Headless Chromium's viewport can come out smaller than its window: fix it.
        try await browser.devTools("Emulation.setDeviceMetricsOverride",
                                   ["width": viewportWidthPx, "height": viewportHeightPx, "deviceScaleFactor": 1, "mobile": false])
        lap("browser session up")
    }

    private let began = ContinuousClock.now
    private let lapsLock = NSLock()
    private var laps: [String] = []

    /// Notes how long after the start `what` happened (printed with the figures).
    func lap(_ what: String) {
        let seconds = Double((ContinuousClock.now - began).components.attoseconds) / 1e18 + Double((ContinuousClock.now - began).components.seconds)
        lapsLock.withLock { laps.append("\(what) at \(String(format: "%.1f", seconds)) s") }
    }

    var timeline: String { lapsLock.withLock { laps.joined(separator: ", ") } }

    func stop() {
        browserProcesses?.stop()
        server?.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Records `seconds` of the seeded demo, ending now, into a fresh data directory.
    static func recordDemo(seconds: Int, into directory: String) async throws -> Int64 {
        let startNs = (EventTime.nowNs() / 1_000_000_000 - Int64(seconds)) * 1_000_000_000
        var demo = DemoWorkload(seed: 42, startTimeNs: startNs)
        let log = try EventLog.open(directory: directory)
        for _ in 0..<seconds { _ = try await log.append(demo.nextSecond()) }
        try await log.close()
        return startNs
    }

    /// Polls `/metrics` until the views have folded the whole recorded log, so that the
    /// page's timings measure the page, not the server's start-up catch-up.
    func waitUntilViewsCaughtUp() async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        var lastLine = "no answer"
        while ContinuousClock.now < deadline {
            let response = try await LoopbackHTTP.request(port: serverPort, method: "GET", path: "/metrics", timeoutMs: 30_000)
            let lag = String(decoding: response.body, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("tacho_views_lag_events ") }
            lastLine = lag.map(String.init) ?? "no tacho_views_lag_events line"
            if let lag, let events = Double(lag.split(separator: " ").last ?? ""), events < 5_000 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw WebDriver.Failure(description: "tacho serve's views did not catch up with the log within 60 s (\(lastLine))")
    }

    /// GET `path` on the server as JSON (hard deadline).
    func getJSON(_ path: String) async throws -> [String: Any] {
        let response = try await LoopbackHTTP.request(port: serverPort, method: "GET", path: path, timeoutMs: 30_000)
        guard response.status == 200, let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
            throw WebDriver.Failure(description: "GET \(path): HTTP \(response.status) \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
        return object
    }
}
