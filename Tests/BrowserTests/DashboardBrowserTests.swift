import Foundation
import Testing
import TestSupport

/// The dashboard in a real headless Chromium against a real `tacho serve` holding a
/// recorded demo session with the live demo running. Runs whenever Chromium,
/// chromedriver and the built `.build/debug/tacho` exist (tools/test installs the
/// first two with apt-get); skipped, with the reason, otherwise.
///
/// Every WebDriver and HTTP call has a hard deadline (LoopbackHTTP), every wait is a
/// poll with a generous deadline (the suite runs in parallel on two cores), and every
/// child process is killed on every exit path (DashboardRun.stop in a defer).
@Suite(.serialized)
struct DashboardBrowserTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tachoBinary = BuiltProducts.path("tacho", packageRoot: packageRoot)
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static var missing: [String] {
        (chromium == nil ? ["chromium (apt-get install chromium)"] : [])
            + (chromedriver == nil ? ["chromedriver (apt-get install chromium-driver)"] : [])
            + (FileManager.default.isExecutableFile(atPath: tachoBinary) ? [] : ["\(tachoBinary) (swift build)"])
    }
    /// Where to save the 1440×900 screenshot of the populated page (tools/screenshot-dashboard sets it).
    static let screenshotPath = ProcessInfo.processInfo.environment["TACHO_DASHBOARD_SCREENSHOT"]

    @Test(.enabled(if: missing.isEmpty, "SKIPPED, not passed: missing \(missing.joined(separator: ", "))"),
          .timeLimit(.minutes(2)))
    func dashboard_withRecordedDemo_populatesEveryPanel_acknowledges_escapes_andTravelsInTime() async throws {
        let run = DashboardRun()
        defer { run.stop() }
        try await run.start(tacho: Self.tachoBinary, chromium: Self.chromium!, chromedriver: Self.chromedriver!,
                            recordedSeconds: 120, viewportWidthPx: 1440, viewportHeightPx: 900)
        let browser = try #require(run.browser)
        do {
            try await exercise(browser, run)
        } catch {
            if let png = try? await browser.screenshotPNG() {
                let path = run.directory + "-failure.png"
                try? png.write(to: URL(fileURLWithPath: path))
                print("dashboard browser test failed; screenshot at \(path)")
            }
            throw error
        }
        await browser.quit()
    }

    private func exercise(_ browser: WebDriver, _ run: DashboardRun) async throws {
        try await browser.devTools("Page.addScriptToEvaluateOnNewDocument", ["source": DashboardChecks.fullRenderProbe])
        try await browser.navigate(run.base + "/")
        try await DashboardChecks.waitForEveryPanel(browser)
        let firstRender = try await DashboardChecks.firstRenderFigures(browser)
        let latencyHistoryPoints = try await DashboardChecks.latencyChartHasTheServersHistory(browser)
        let batchHistoryPoints = try await DashboardChecks.batchChartHasTheServersHistory(browser)
        let cacheHistoryPoints = try await DashboardChecks.cacheChartHasTheServersHistory(browser)
        run.lap("every panel shown")

        if let path = Self.screenshotPath {
            try await browser.execute("window.scrollTo(0, 0)")
            try await browser.waitUntil("the page settled after the first render", "return performance.now() - window.__tachoPerf.firstRenderMs > 2000")
            try await browser.screenshotPNG().write(to: URL(fileURLWithPath: path))
            print("dashboard screenshot written to \(path)")
        }

        try await DashboardChecks.liveValuesMatchTheServer(browser, run)
        run.lap("live values checked")
        let heatmapCells = try await DashboardChecks.heatmapIsDrawn(browser)
        run.lap("heatmap checked")
        try await DashboardChecks.thresholdAlertShowsItsResolution(browser, run)
        run.lap("threshold alert resolution checked")
        let ingestToShownMs = try await DashboardChecks.hostileAlertIsTextAndAcknowledges(browser, run)
        run.lap("hostile alert and ack checked")
        try await DashboardChecks.timelineShowsThePast(browser, run, secondsAfterStart: 60)
        run.lap("time travel checked")
        print("dashboard test timeline: \(run.timeline)")

        print("dashboard figures: " + (firstRender.map { "\($0.key)=\($0.value)" }.sorted() + ["ingestToShownMs=\(ingestToShownMs)", "heatmapCells=\(heatmapCells)", "latencyHistoryPoints=\(latencyHistoryPoints)", "batchHistoryPoints=\(batchHistoryPoints)", "cacheHistoryPoints=\(cacheHistoryPoints)"]).joined(separator: " "))
    }
}
