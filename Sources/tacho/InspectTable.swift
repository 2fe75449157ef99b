import EventStore
import Foundation

/// Plain-text table for `tacho inspect`, columns padded in Swift (Foundation's `%@`
/// width is not honoured on Linux).
enum InspectTable {
    static let headers = ["segment", "sealed", "batches", "events", "raw bytes", "stored bytes", "B/event", "ratio"]

    static func render(_ segments: [SegmentInfo]) -> String {
        var rows: [[String]] = [headers]
        var batches: UInt64 = 0, events: UInt64 = 0, raw: UInt64 = 0, stored: UInt64 = 0
        for s in segments {
            rows.append(row(String(format: "%020llu", s.baseOffset), s.sealed ? "yes" : "no", s.batchCount, s.eventCount, s.rawBytes, s.storedBytes))
            batches += s.batchCount
            events += s.eventCount
            raw += s.rawBytes
            stored += s.storedBytes
        }
        rows.append(row("total", "", batches, events, raw, stored))
        let widths = headers.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        if let first = segments.compactMap(\.minTimeNs).min(), let last = segments.compactMap(\.maxTimeNs).max() {
            lines.append("events from \(EventTime.formatRFC3339(first)) to \(EventTime.formatRFC3339(last))")
        }
        return lines.joined(separator: "\n")
    }

    private static func row(_ name: String, _ sealed: String, _ batches: UInt64, _ events: UInt64, _ raw: UInt64, _ stored: UInt64) -> [String] {
        [name, sealed, "\(batches)", "\(events)", "\(raw)", "\(stored)",
         String(format: "%.2f", InspectCommand.perEvent(stored, events)),
         String(format: "%.2f", InspectCommand.ratio(raw: raw, stored: stored))]
    }
}
