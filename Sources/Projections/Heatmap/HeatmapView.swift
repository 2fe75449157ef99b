import EventStore

/// What `/api/v1/metrics/heatmap/{metric}` draws.
public enum HeatmapMetric: String, Sendable, CaseIterable {
    /// Rows are latency bands of all operations; a cell counts the operations in it and
    /// gives their mean.
    case latency
    /// Rows are operations (or protocols); a cell is their operations per second.
    case throughput
    /// Rows are operations (or protocols); a cell is their failed share in percent.
    case errors
}

/// What the rows of the throughput and error heatmaps are.
public enum HeatmapGrouping: String, Sendable, CaseIterable {
    case operation
    case `protocol`
}

/// `GET /api/v1/metrics/heatmap/{latency|throughput|errors}?range=&by=&at=`: time
/// columns × rows, with the non-empty cells listed.
public struct HeatmapView: Encodable, Sendable, Equatable {
    public struct Row: Encodable, Sendable, Equatable {
        public let index: Int
        /// The operation or protocol name, or the latency band (`10–20 ms`).
        public let label: String
        /// Latency bands only: the band's bounds in milliseconds (`highMs` nil for the last).
        public let lowMs: Double?
        public let highMs: Double?
        /// Operations in this row over the whole range.
        public let total: UInt64
    }

    public struct Cell: Encodable, Sendable, Equatable {
        public let row: Int
        public let column: Int
        /// The column's start.
        public let timeNs: Int64
        public let time: String
        /// Latency: the mean latency of the cell's operations (ms); throughput:
        /// operations per second over the column; errors: failed percent of operations.
        public let value: Double
        /// Latency and throughput: operations; errors: failed operations.
        public let count: UInt64
    }

    public let metric: String
    public let range: String
    /// `latency`, `operation` or `protocol`.
    public let rowsBy: String
    /// The unit of `value`: `ms`, `ops/s` or `%`.
    public let unit: String
    /// What colours a cell: `count` (latency) or `value`.
    public let colourBy: String
    /// The first column's start and the last column's end.
    public let from: TimeStamp
    public let to: TimeStamp
    /// The moment the range ends at: `?at=`, else the newest event.
    public let asOf: TimeStamp
    public let tierWidthNs: Int64
    public let columnWidthNs: Int64
    /// Column starts, oldest first.
    public let columns: [TimeStamp]
    public let rows: [Row]
    /// Non-empty cells, by row then column.
    public let cells: [Cell]
    public let valueMax: Double?
    public let countMax: UInt64
    /// Operations in the range, all rows.
    public let totalCount: UInt64
}

extension HistoricalRange {
    /// The heatmap's tier, column width and column count for this range.
    public var heatmapLayout: (tier: HeatmapTier, columnWidthNs: Int64, columns: Int) {
        let s = TimeUnits.nanosPerSecond, m = TimeUnits.nanosPerMinute, h = TimeUnits.nanosPerHour
        switch self {
        case .fifteenMinutes: return (.tenSeconds, 10 * s, 90)
        case .oneHour: return (.tenSeconds, m, 60)
        case .sixHours: return (.minute, 5 * m, 72)
        case .oneDay: return (.minute, 15 * m, 96)
        case .sevenDays: return (.hour, 2 * h, 84)
        }
    }
}

extension HeatmapProjection {
    /// Lower bounds of the latency bands, in milliseconds; the last band is open.
    public static let latencyBandEdgesMs: [Double] = [0, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000]

    public static var latencyBandCount: Int { latencyBandEdgesMs.count }

    /// The band of `LatencyScale` bucket `index`, by where the bucket starts.
    static func band(ofScaleIndex index: Int) -> Int {
        let lowMs = Double(LatencyScale.range(ofIndex: index).low) / 1000
        var band = 0
        while band + 1 < latencyBandEdgesMs.count && lowMs >= latencyBandEdgesMs[band + 1] { band += 1 }
        return band
    }

    /// `band(ofScaleIndex:)` for every scale bucket, computed once: the fold's lookup.
    static let bandOfScaleIndex: [UInt8] = (0..<LatencyScale.bucketCount).map { UInt8(band(ofScaleIndex: $0)) }

    /// - Parameters:
    ///   - endNs: the range ends with the column holding this moment.
    ///   - grouping: rows of the throughput and error heatmaps; ignored for latency.
    public func view(metric: HeatmapMetric, range: HistoricalRange, grouping: HeatmapGrouping = .operation, endNs: Int64) -> HeatmapView {
        let layout = range.heatmapLayout
        let width = layout.columnWidthNs
        let lastStart = TimeUnits.unit(of: endNs, widthNs: width) * width
        let firstStart = lastStart - Int64(layout.columns - 1) * width
        let starts = (0..<layout.columns).map { firstStart + Int64($0) * width }
        let tierWidth = layout.tier.widthNs
        let unitRanges = starts.map { start in
            (TimeUnits.unit(of: start, widthNs: tierWidth), TimeUnits.unit(of: start + width - 1, widthNs: tierWidth))
        }
        let grid: (rows: [HeatmapView.Row], cells: [HeatmapView.Cell])
        switch metric {
        case .latency:
            grid = latencyGrid(ring: latencyRing(layout.tier), unitRanges: unitRanges, starts: starts)
        case .throughput, .errors:
            let table = grouping == .operation ? operations : protocols
            grid = countGrid(table: table, tier: layout.tier, metric: metric, unitRanges: unitRanges, starts: starts, columnWidthNs: width)
        }
        let unit = switch metric {
        case .latency: "ms"
        case .throughput: "ops/s"
        case .errors: "%"
        }
        return HeatmapView(
            metric: metric.rawValue, range: range.rawValue,
            rowsBy: metric == .latency ? "latency" : grouping.rawValue, unit: unit,
            colourBy: metric == .latency ? "count" : "value",
            from: TimeStamp(timeNs: firstStart), to: TimeStamp(timeNs: lastStart + width), asOf: TimeStamp(timeNs: endNs),
            tierWidthNs: tierWidth, columnWidthNs: width, columns: starts.map(TimeStamp.init(timeNs:)),
            rows: grid.rows, cells: grid.cells, valueMax: grid.cells.map(\.value).max(),
            countMax: grid.cells.map(\.count).max() ?? 0, totalCount: grid.rows.reduce(0) { $0 &+ $1.total })
    }

    private func latencyGrid(
        ring: TimeRing<LatencyBandCounts>, unitRanges: [(Int64, Int64)], starts: [Int64]
    ) -> (rows: [HeatmapView.Row], cells: [HeatmapView.Cell]) {
        let edges = Self.latencyBandEdgesMs
        var totals = [UInt64](repeating: 0, count: edges.count)
        var cellsByBand = [[HeatmapView.Cell]](repeating: [], count: edges.count)
        for (column, units) in unitRanges.enumerated() {
            let merged = ring.merged(fromUnit: units.0, throughUnit: units.1)
            guard !merged.isEmpty else { continue }
            for band in merged.counts.indices where merged.counts[band] > 0 {
                let count = merged.counts[band]
                totals[band] &+= count
                cellsByBand[band].append(HeatmapView.Cell(
                    row: band, column: column, timeNs: starts[column], time: EventTime.formatRFC3339(starts[column]),
                    value: Double(merged.sumMicros[band]) / Double(count) / 1000, count: count))
            }
        }
        let rows = edges.indices.map { band in
            let low = edges[band]
            let high = band + 1 < edges.count ? edges[band + 1] : nil
            let label = high.map { "\(Self.text(low))–\(Self.text($0)) ms" } ?? "≥ \(Self.text(low)) ms"
            return HeatmapView.Row(index: band, label: label, lowMs: low, highMs: high, total: totals[band])
        }
        return (rows, cellsByBand.flatMap { $0 })
    }

    private func countGrid(
        table: BoundedKeyTable<HeatmapRow>, tier: HeatmapTier, metric: HeatmapMetric,
        unitRanges: [(Int64, Int64)], starts: [Int64], columnWidthNs: Int64
    ) -> (rows: [HeatmapView.Row], cells: [HeatmapView.Cell]) {
        let columnSeconds = Double(columnWidthNs) / Double(TimeUnits.nanosPerSecond)
        var found: [(name: String, total: UInt64, columns: [(Int, OpCounts)])] = []
        for (name, row) in table.entries {
            let ring = ring(of: row, tier)
            var columns: [(Int, OpCounts)] = []
            var total: UInt64 = 0
            for (column, units) in unitRanges.enumerated() {
                let counts = ring.merged(fromUnit: units.0, throughUnit: units.1)
                guard counts.count > 0 else { continue }
                columns.append((column, counts))
                total &+= counts.count
            }
            if total > 0 { found.append((name, total, columns)) }
        }
        // Busiest first; names break ties, so the order never depends on arrival.
        found.sort { $0.total != $1.total ? $0.total > $1.total : $0.name < $1.name }
        var rows: [HeatmapView.Row] = []
        var cells: [HeatmapView.Cell] = []
        for (index, entry) in found.enumerated() {
            rows.append(HeatmapView.Row(index: index, label: entry.name, lowMs: nil, highMs: nil, total: entry.total))
            for (column, counts) in entry.columns {
                let value = metric == .throughput ? Double(counts.count) / columnSeconds : counts.errorPercent
                cells.append(HeatmapView.Cell(
                    row: index, column: column, timeNs: starts[column], time: EventTime.formatRFC3339(starts[column]),
                    value: value, count: metric == .throughput ? counts.count : counts.errors))
            }
        }
        return (rows, cells)
    }

    /// `0.5`, `10`, `10000`: no trailing zeros.
    private static func text(_ ms: Double) -> String {
        ms == ms.rounded() ? String(Int64(ms)) : String(ms)
    }
}
