import Foundation
import Testing

/// What the browser test asserts about the page, one concern per function. Every wait
/// is a poll with a deadline of 45 s or more: the whole suite runs in parallel.
enum DashboardChecks {
    /// Charts drawn once every view has loaded (the history chart comes later).
    static let chartsDrawnAtFirstRender = 8

    /// JavaScript expressions, each true once its panel shows data from the server.
    static let panelConditions: [(name: String, js: String)] = [
        ("health", "!!q('[data-testid=health-score]') && !!q('[data-testid=health-score]').dataset.value"),
        ("vitals", "['ops', 'p99', 'connections', 'cpu', 'memory'].every((k) => { const e = q(`[data-testid=vital-${k}]`); return !!e && /\\d/.test(e.textContent); })"),
        ("latencyCount", "!!q('[data-testid=latency-count]') && /\\d/.test(q('[data-testid=latency-count]').dataset.value || '')"),
        ("breakers", "qa('[data-testid=breaker-card]').length >= 3"),
        ("topology", "qa('[data-testid=topology-node]').length >= 3"),
        ("alerts", "qa('[data-testid=alert-item]').length >= 1"),
        ("protocols", "qa('[data-testid=protocols] [data-protocol]').length >= 1"),
        ("charts", "qa('[data-drawn=true]').length >= \(chartsDrawnAtFirstRender)"),
    ]

    /// A function body returning which panels show data (for a failure's message).
    static var panelStatus: String {
        "const q = (s) => document.querySelector(s), qa = (s) => document.querySelectorAll(s);\n"
            + "return JSON.stringify({" + panelConditions.map { "\($0.name): (() => { try { return \($0.js); } catch (e) { return String(e); } })()" }.joined(separator: ", ") + "});"
    }

    /// Run in the document before the page's scripts: records (in `window.__tachoFullRender`)
    /// the first animation frame at which every panel shows data, and when each did.
    static var fullRenderProbe: String {
        let checks = panelConditions.map { "['\($0.name)', () => \($0.js)]" }.joined(separator: ",\n    ")
        return """
            (() => {
              const q = (s) => document.querySelector(s), qa = (s) => document.querySelectorAll(s);
              const checks = [
                \(checks)
              ];
              const seen = {};
              const tick = () => {
                for (const [name, check] of checks) {
                  if (seen[name] === undefined) { try { if (check()) seen[name] = performance.now(); } catch (e) { } }
                }
                if (checks.every(([name]) => seen[name] !== undefined)) { window.__tachoFullRender = { atMs: performance.now(), seen }; return; }
                requestAnimationFrame(tick);
              };
              requestAnimationFrame(tick);
            })();
            """
    }

    static func waitForEveryPanel(_ browser: WebDriver) async throws {
        do {
            try await browser.waitUntil("every panel shows data", "return document.body.dataset.ready === 'true' && !!window.__tachoFullRender")
        } catch {
            let status = try? await browser.execute(panelStatus) as? String
            throw WebDriver.Failure(description: "\(error); panels: \(status ?? "?")")
        }
        try await browser.waitUntil("live indicator", "return document.querySelector('[data-testid=connection-indicator]').dataset.state === 'live'")
    }

    /// Right after the first render, the latency-percentile chart already holds the
    /// server's last minute (the view's per-second `timeline`), not only the points
    /// the page saw itself since it loaded (one per second of the live summary).
    static func latencyChartHasTheServersHistory(_ browser: WebDriver) async throws -> Int {
        // A page on its own gathers about one point a second; the server gives up to 60.
        try await chartHasTheServersHistory(browser, testID: "chart-latency-percentiles", pointsMin: 30)
    }

    /// The same for the batch-size chart: the batching view's `history` (a second of
    /// batches a point, the last ten minutes; the recorded demo has two minutes).
    static func batchChartHasTheServersHistory(_ browser: WebDriver) async throws -> Int {
        try await chartHasTheServersHistory(browser, testID: "chart-batch-size", pointsMin: 60)
    }

    /// The same for the cache hit-rate chart (the demo reports caches every 5 s).
    static func cacheChartHasTheServersHistory(_ browser: WebDriver) async throws -> Int {
        try await chartHasTheServersHistory(browser, testID: "chart-cache-hit-rate-history", pointsMin: 15)
    }

    static func chartHasTheServersHistory(_ browser: WebDriver, testID: String, pointsMin: Int) async throws -> Int {
        let points = try await browser.execute(
            "return Number(document.querySelector('[data-testid=\(testID)]')?.dataset.points ?? -1)") as? Int ?? -1
        let shownForMs = try await browser.execute("return Math.round(performance.now() - window.__tachoPerf.firstRenderMs)") as? Int ?? 0
        guard points >= pointsMin, points > shownForMs / 1000 + 5 else {
            throw WebDriver.Failure(description: "\(testID) holds \(points) points \(shownForMs) ms after the first render: not the server's history")
        }
        return points
    }

    /// Milliseconds from the HTML's arrival (Navigation Timing `responseEnd`) to the
    /// first frame with every panel populated, and the page's own first-render hook.
    static func firstRenderFigures(_ browser: WebDriver) async throws -> [String: Double] {
        let json = try await browser.execute("""
            const nav = performance.getEntriesByType('navigation')[0];
            return JSON.stringify({
              everyPanelShownMs: window.__tachoFullRender.atMs - nav.responseEnd,
              firstRenderMs: window.__tachoPerf.firstRenderMs,
              responseEndMs: nav.responseEnd,
              domContentLoadedMs: nav.domContentLoadedEventEnd - nav.responseEnd,
            });
            """) as? String
        let slowest = try await browser.execute("""
            return performance.getEntriesByType('resource').sort((a, b) => b.duration - a.duration).slice(0, 4)
              .map((r) => `${new URL(r.name).pathname} ${Math.round(r.startTime)}+${Math.round(r.duration)}ms`).join(', ')
              + '; phases after responseEnd ' + JSON.stringify(window.__tachoPerf.phases)
              + '; each panel shown at (after responseEnd) ' + JSON.stringify(Object.fromEntries(Object.entries(window.__tachoFullRender.seen)
                  .map(([k, v]) => [k, Math.round(v - performance.getEntriesByType('navigation')[0].responseEnd)])));
            """) as? String
        print("dashboard slowest resources: \(slowest ?? "?")")
        let object = try JSONSerialization.jsonObject(with: Data((json ?? "{}").utf8)) as? [String: Double] ?? [:]
        #expect((object["everyPanelShownMs"] ?? -1) > 0, "no full-render time: \(object)")
        return object.mapValues { ($0 * 10).rounded() / 10 }
    }

    /// The live page shows the server's health score, and protocols and latency panels
    /// show numbers (not "—") read from the views' real field names.
    static func liveValuesMatchTheServer(_ browser: WebDriver, _ run: DashboardRun) async throws {
        // The live demo changes the score every second: poll until page and server agree.
        let deadline = ContinuousClock.now + .seconds(45)
        var last = ""
        while true {
            let server = try await run.getJSON("/api/v1/health")["score"] as? Double
            let shown = try await browser.execute("return Number(document.querySelector('[data-testid=health-score]').dataset.value)") as? Double
            if let server, let shown, abs(server - shown) < 0.5 { break }
            last = "server \(String(describing: server)), page \(String(describing: shown))"
            guard ContinuousClock.now < deadline else { Issue.record("page health score never matched the server's: \(last)"); return }
            try await Task.sleep(for: .milliseconds(200))
        }
        let rows = try await protocolRows(browser)
        #expect(rows.count >= 3, "protocol rows: \(rows)")
        for (name, cells) in rows {
            #expect(cells.rps != nil && cells.errorPercent != nil && cells.latencyMs != nil, "protocol \(name) shows no numbers: \(cells)")
        }
    }

    struct ProtocolCells: Sendable, CustomStringConvertible {
        var rps: Double?
        var latencyMs: Double?
        var errorPercent: Double?
        var description: String { "rps \(String(describing: rps)), latency \(String(describing: latencyMs)) ms, errors \(String(describing: errorPercent)) %" }
    }

    /// The protocol table's numbers as shown ("1.2k" → 1200, "3.4 ms" → 3.4, "10.6%" → 10.6).
    static func protocolRows(_ browser: WebDriver) async throws -> [String: ProtocolCells] {
        let json = try await browser.execute("""
            const rows = {};
            for (const row of document.querySelectorAll('[data-testid=protocols] [data-protocol]')) {
              rows[row.dataset.protocol] = [...row.children].map((c) => c.textContent.trim());
            }
            return JSON.stringify(rows);
            """) as? String
        let rows = try JSONSerialization.jsonObject(with: Data((json ?? "{}").utf8)) as? [String: [String]] ?? [:]
        return rows.mapValues { cells in
            guard cells.count >= 5 else { return ProtocolCells() }
            return ProtocolCells(rps: shownNumber(cells[2]), latencyMs: shownMilliseconds(cells[3]), errorPercent: shownNumber(cells[4]))
        }
    }

    static func shownNumber(_ text: String) -> Double? {
        var t = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "%", with: "")
        var scale = 1.0
        if t.hasSuffix("k") { scale = 1e3; t.removeLast() } else if t.hasSuffix("M") { scale = 1e6; t.removeLast() }
        return Double(t.trimmingCharacters(in: .whitespaces)).map { $0 * scale }
    }

    static func shownMilliseconds(_ text: String) -> Double? {
        let parts = text.split(separator: " ")
        guard parts.count == 2, let value = Double(parts[0]) else { return nil }
        switch parts[1] {
        case "ms": return value
        case "s": return value * 1000
        case "µs": return value / 1000
        default: return nil
        }
    }

    /// Ingests, from the page itself, an alert whose message is HTML: it is shown as
    /// text, creates no element, and Acknowledge moves it to acknowledged through an
    /// `alert_ack` in the log (the server's alerts view, a fold of the log, says so).
    /// Returns the ms from the POST to the first frame that shows the alert.
    static func hostileAlertIsTextAndAcknowledges(_ browser: WebDriver, _ run: DashboardRun) async throws -> Double {
        let hostile = "<img src=x onerror=alert(1)>"
        let event = try JSONSerialization.data(withJSONObject: ["type": "alert", "id": "xss-probe", "severity": "critical", "kind": "probe", "message": hostile])
        try await browser.execute("""
            const probe = window.__ingestProbe = {};
            const observer = new MutationObserver(() => {
              if (!document.querySelector('[data-alert-id="xss-probe"]')) return;
              observer.disconnect();
              probe.inDomMs = performance.now();
              requestAnimationFrame(() => { probe.shownMs = performance.now(); });
            });
            observer.observe(document.body, { childList: true, subtree: true });
            probe.postMs = performance.now();
            fetch('/api/v1/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: arguments[0] })
              .then((r) => { probe.status = r.status; }, (e) => { probe.status = String(e); });
            """, [String(decoding: event, as: UTF8.self)])
        try await browser.waitUntil("the probe alert shown", "const p = window.__ingestProbe; return p.status !== undefined && (p.status !== 200 || p.shownMs !== undefined)")
        let status = try await browser.execute("return window.__ingestProbe.status") as? Int
        #expect(status == 200)
        let ingestToShownMs = try await browser.execute("const p = window.__ingestProbe; return p.shownMs - p.postMs") as? Double ?? -1

        let text = try await browser.execute("return document.querySelector('[data-alert-id=\"xss-probe\"]').textContent") as? String
        #expect(text?.contains(hostile) == true, "the message is not shown as text: \(String(describing: text))")
        let injected = try await browser.execute("return document.querySelectorAll('img[src=\"x\"]').length + document.querySelector('[data-alert-id=\"xss-probe\"]').querySelectorAll('img').length") as? Int
        #expect(injected == 0)

        try await browser.execute("document.querySelector('[data-alert-id=\"xss-probe\"] [data-testid=alert-ack]').click()")
        try await browser.waitUntil("probe acknowledged on the page", "return document.querySelector('[data-alert-id=\"xss-probe\"]').dataset.alertState === 'acknowledged'")
        let deadline = ContinuousClock.now + .seconds(45)
        while true {
            let alerts = try await run.getJSON("/api/v1/fault-tolerance/alerts?limit=500")
            let acknowledged = (alerts["acknowledged"] as? [[String: Any]] ?? []).contains { $0["id"] as? String == "xss-probe" }
            if acknowledged { break }
            guard ContinuousClock.now < deadline else { Issue.record("the server's alerts view never listed xss-probe as acknowledged"); break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return (ingestToShownMs * 10).rounded() / 10
    }

    /// Moving the timeline `secondsAfterStart` into the recording shows the views of
    /// that moment: health score, every protocol's RPS and error %, the latency count.
    static func timelineShowsThePast(_ browser: WebDriver, _ run: DashboardRun, secondsAfterStart: Int) async throws {
        let atNs = run.startNs + Int64(secondsAfterStart) * 1_000_000_000
        try await browser.execute("""
            performance.setResourceTimingBufferSize(10000);
            performance.clearResourceTimings();
            const s = document.querySelector('[data-testid=timeline-slider]');
            s.value = String(arguments[0]); s.dispatchEvent(new Event('input', {bubbles: true}));
            """, [secondsAfterStart])
        try await browser.waitUntil("replay indicator", "return document.querySelector('[data-testid=connection-indicator]').dataset.state === 'replay'")

        let past = try await run.getJSON("/api/v1/health?at=\(atNs)")["score"] as? Double ?? -1
        try await browser.waitUntil("health score of the past (\(past))",
            "return Math.abs(Number(document.querySelector('[data-testid=health-score]').dataset.value) - arguments[0]) < 0.05", [past])

        let latencyWindow = try await run.getJSON("/api/v1/metrics/latency?at=\(atNs)")["window"] as? [String: Any]
        let count = try #require(latencyWindow?["count"] as? Int, "the latency view has no window.count")
        try await browser.waitUntil("latency count of the past (\(count))",
            "return document.querySelector('[data-testid=latency-count]').dataset.value === String(arguments[0])", [count])

        // The seek was one request: every view and the heatmap from /api/v1/views?at=.
        try await browser.waitUntil("the heatmap of the past", "return document.querySelector('[data-testid=heatmap-status]').textContent !== ''")
        let requests = try await browser.execute("""
            return performance.getEntriesByType('resource').map((r) => new URL(r.name)).filter((u) => u.pathname.startsWith('/api/'))
              .map((u) => u.pathname + u.search);
            """) as? [String] ?? []
        #expect(requests.count == 1 && requests.first?.hasPrefix("/api/v1/views?") == true && requests.first?.contains("heatmap=") == true,
                "a seek made these API requests: \(requests)")

        let protocols = try await run.getJSON("/api/v1/metrics/protocols?at=\(atNs)")["protocols"] as? [[String: Any]] ?? []
        let rows = try await protocolRows(browser)
        #expect(protocols.count >= 3 && rows.count == protocols.count, "server protocols \(protocols.count), page rows \(rows.count)")
        for view in protocols {
            let name = view["name"] as? String ?? "?"
            guard let cells = rows[name], let rps = view["rps"] as? Double, let errorRate = view["errorRate"] as? Double else {
                Issue.record("protocol \(name) missing on the page or in the view"); continue
            }
            #expect(abs((cells.rps ?? -1) - rps) <= max(1, rps * 0.01), "\(name) rps: page \(cells), view \(rps)")
            #expect(abs((cells.errorPercent ?? -1) - errorRate) <= 0.051, "\(name) error %: page \(cells), view \(errorRate)")
        }

        try await browser.execute("document.querySelector('[data-testid=timeline-live]').click()")
        try await browser.waitUntil("back to live", "return document.querySelector('[data-testid=connection-indicator]').dataset.state === 'live'")
    }

    /// The performance heatmap is drawn on its canvas: cells from the server, a filled
    /// pixel at the first cell, a tooltip naming the cell on hover, and a redraw when
    /// the metric changes to throughput. Returns the cells drawn for latency.
    static func heatmapIsDrawn(_ browser: WebDriver) async throws -> Int {
        try await browser.execute("document.querySelector('[data-testid=heatmap]').scrollIntoView()")
        try await browser.waitUntil("the latency heatmap drawn",
            "const e = document.querySelector('[data-testid=heatmap]'); return !!e && e.dataset.drawn === 'true' && Number(e.dataset.cells) > 0 && !!e.dataset.firstCell")
        let cells = try await browser.execute("return Number(document.querySelector('[data-testid=heatmap]').dataset.cells)") as? Int ?? 0
        let pixel = try await browser.execute("""
            const host = document.querySelector('[data-testid=heatmap]');
            const canvas = host.querySelector('[data-testid=chart-heatmap]');
            const [x, y] = host.dataset.firstCell.split(',').map(Number);
            const dpr = canvas.width / canvas.clientWidth;
            return Array.from(canvas.getContext('2d').getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data);
            """) as? [Int] ?? []
        #expect(pixel.count == 4 && pixel[3] == 255, "the first heatmap cell is painted: \(pixel)")
        let tooltip = try await browser.execute("""
            const host = document.querySelector('[data-testid=heatmap]');
            const overlay = host.querySelector('.chart-overlay');
            const [x, y] = host.dataset.firstCell.split(',').map(Number);
            const r = overlay.getBoundingClientRect();
            overlay.dispatchEvent(new PointerEvent('pointermove', { clientX: r.left + x, clientY: r.top + y, bubbles: true }));
            const tip = host.querySelector('.chart-tooltip');
            return tip.hidden ? '' : tip.textContent;
            """) as? String ?? ""
        #expect(tooltip.contains("operations:"), "hovering a cell shows its count: '\(tooltip)'")
        try await browser.execute("""
            const select = document.querySelector('[data-testid=heatmap-metric]');
            select.value = 'throughput';
            select.dispatchEvent(new Event('change'));
            """)
        try await browser.waitUntil("the throughput heatmap drawn",
            "const e = document.querySelector('[data-testid=heatmap]'); return e.dataset.metric === 'throughput' && Number(e.dataset.cells) > 0")
        return cells
    }

    /// A threshold alert of the recorded demo shows what to do (its resolution, from
    /// /api/v1/alerts/performance) as text.
    static func thresholdAlertShowsItsResolution(_ browser: WebDriver, _ run: DashboardRun) async throws {
        let performance = try await run.getJSON("/api/v1/alerts/performance?limit=200")
        let alerts = performance["alerts"] as? [[String: Any]] ?? []
        guard let first = alerts.first, let id = first["id"] as? String, let resolution = first["resolution"] as? String else {
            Issue.record("the recorded demo raised no threshold alert: \(performance)")
            return
        }
        try await browser.waitUntil("the resolution of \(id) shown",
            "const e = document.querySelector(`[data-alert-id=\"${CSS.escape(arguments[0])}\"] [data-testid=alert-resolution]`); return !!e && e.textContent.includes(arguments[1])",
            [id, resolution])
    }
}
