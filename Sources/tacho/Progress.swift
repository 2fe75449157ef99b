import Foundation

/// A single rewritten progress line on stderr, only when stderr is a terminal and
/// at most a few times a second, so scripts and pipes see nothing of it.
struct Progress {
    private let label: String
    private let enabled: Bool
    private let startNs: UInt64
    private var lastDrawNs: UInt64 = 0
    private(set) var drew = false

    init(_ label: String, quiet: Bool = false) {
        self.label = label
        self.enabled = !quiet && isatty(STDERR_FILENO) == 1
        self.startNs = DispatchTime.now().uptimeNanoseconds
    }

    /// `done` of `total` (if known) events.
    mutating func update(done: UInt64, total: UInt64? = nil) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - lastDrawNs > 200_000_000 else { return }
        lastDrawNs = now
        draw(done: done, total: total, now: now)
    }

    mutating func finish(done: UInt64, total: UInt64? = nil) {
        guard enabled, drew else { return }
        draw(done: done, total: total, now: DispatchTime.now().uptimeNanoseconds)
        FileHandle.standardError.write(Data("\n".utf8))
    }

    private mutating func draw(done: UInt64, total: UInt64?, now: UInt64) {
        drew = true
        let seconds = max(Double(now - startNs) / 1e9, 1e-9)
        let rate = Double(done) / seconds
        var line = "\(label): \(done) events, \(Self.compact(rate)) events/s"
        if let total, total > 0 {
            let left = rate > 0 ? Double(total - min(done, total)) / rate : 0
            line += String(format: ", %.0f%%, %.0f s left", Double(done) * 100 / Double(total), left)
        }
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
    }

    static func compact(_ value: Double) -> String {
        switch value {
        case 1e9...: String(format: "%.1fG", value / 1e9)
        case 1e6...: String(format: "%.1fM", value / 1e6)
        case 1e3...: String(format: "%.1fk", value / 1e3)
        default: String(format: "%.0f", value)
        }
    }
}
