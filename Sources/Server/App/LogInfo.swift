import EventStore
import Runtime

/// `GET /api/v1/log`: the log's offsets, segments, sizes, compression ratio and the
/// event-time range it covers (the dashboard's timeline range).
public struct LogInfo: Encodable, Sendable, Equatable {
    public struct Segment: Encodable, Sendable, Equatable {
        public var baseOffset: UInt64
        /// The offset after its last batch.
        public var endOffset: UInt64
        public var sealed: Bool
        public var batches: UInt64
        public var events: UInt64
        public var sizeBytes: UInt64
        public var rawBytes: UInt64
        public var compressionRatio: Double?
        public var firstTime: String?
        public var firstTimeNs: Int64?
        public var lastTime: String?
        public var lastTimeNs: Int64?
    }

    public var dataDirectory: String
    /// The oldest retained offset; nil while the log is empty.
    public var firstOffset: UInt64?
    /// The newest offset; nil while the log is empty.
    public var lastOffset: UInt64?
    /// The offset the next event will get (the high-water mark).
    public var nextOffset: UInt64
    public var eventCount: UInt64
    public var segmentCount: Int
    /// Oldest first.
    public var segments: [Segment]
    /// Bytes of the segment files on disk.
    public var sizeBytes: UInt64
    /// Bytes the batches take uncompressed.
    public var rawBytes: UInt64
    /// rawBytes / sizeBytes; nil while the log holds no batch.
    public var compressionRatio: Double?
    /// The smallest and largest event times held (events need not be in time order).
    public var firstTime: String?
    public var firstTimeNs: Int64?
    public var lastTime: String?
    public var lastTimeNs: Int64?
    /// The view snapshots kept along the log for time travel (`SnapshotSeries`); nil
    /// where none are kept.
    public var viewSnapshots: ViewSnapshots?
    /// The samples PromQL queries decoded and keep (`DecodedSampleCache`); nil where none.
    public var queryCache: QueryCache?

    public struct QueryCache: Encodable, Sendable, Equatable {
        public var batches: Int
        public var sizeBytes: Int
        public var capacityBytes: Int
        /// Batches found in memory and batches read from files, since the log opened.
        public var hits: Int
        public var misses: Int

        public init(_ cache: DecodedSampleCache) {
            let statistics = cache.statistics
            batches = statistics.entries
            sizeBytes = statistics.sizeBytes
            capacityBytes = cache.capacityBytes
            hits = statistics.hits
            misses = statistics.misses
        }
    }

    public struct ViewSnapshots: Encodable, Sendable, Equatable {
        public var count: Int
        public var sizeBytes: UInt64
        /// The prefixes the oldest and newest cover (their `nextOffset`).
        public var oldestNextOffset: UInt64?
        public var newestNextOffset: UInt64?
        /// Snapshots read back since the server started (time travel, recovery).
        public var loaded: UInt64

        public init(_ series: SnapshotSeries) {
            let entries = series.entries
            count = entries.count
            sizeBytes = entries.reduce(0) { $0 + $1.contentSizeBytes }
            oldestNextOffset = entries.first?.nextOffset
            newestNextOffset = entries.last?.nextOffset
            loaded = series.statesLoaded
        }
    }

    /// A follower of several streams: each stream's own log, by stream name. The
    /// figures above are then their sums (offsets: the sum of the streams' offsets,
    /// a position in none of them) and the event-time range spanning them all.
    public var streams: [String: LogInfo]?

    public init(dataDirectory: String, segments infos: [SegmentInfo], nextOffset: UInt64) {
        self.dataDirectory = dataDirectory
        self.nextOffset = nextOffset
        segments = infos.map { info in
            Segment(
                baseOffset: info.baseOffset, endOffset: info.endOffset, sealed: info.sealed, batches: info.batchCount,
                events: info.eventCount, sizeBytes: info.storedBytes, rawBytes: info.rawBytes,
                compressionRatio: info.batchCount > 0 && info.storedBytes > 0 ? Double(info.rawBytes) / Double(info.storedBytes) : nil,
                firstTime: info.minTimeNs.map(EventTime.formatRFC3339), firstTimeNs: info.minTimeNs,
                lastTime: info.maxTimeNs.map(EventTime.formatRFC3339), lastTimeNs: info.maxTimeNs)
        }
        segmentCount = infos.count
        eventCount = infos.reduce(0) { $0 + $1.eventCount }
        sizeBytes = infos.reduce(0) { $0 + $1.storedBytes }
        rawBytes = infos.reduce(0) { $0 + $1.rawBytes }
        let batches = infos.reduce(0) { $0 + $1.batchCount }
        compressionRatio = batches > 0 && sizeBytes > 0 ? Double(rawBytes) / Double(sizeBytes) : nil
        let withEvents = infos.filter { $0.eventCount > 0 }
        firstOffset = withEvents.first?.baseOffset
        lastOffset = nextOffset > 0 && !withEvents.isEmpty ? nextOffset - 1 : nil
        firstTimeNs = infos.compactMap(\.minTimeNs).min()
        lastTimeNs = infos.compactMap(\.maxTimeNs).max()
        firstTime = firstTimeNs.map(EventTime.formatRFC3339)
        lastTime = lastTimeNs.map(EventTime.formatRFC3339)
    }
}

extension LogInfo {
    /// The logs of a follower of several streams (`ShardSet`), summed.
    public init(dataDirectory: String, shards: [(stream: String, log: LogInfo)]) {
        self.init(dataDirectory: dataDirectory, segments: [], nextOffset: shards.reduce(0) { $0 + $1.log.nextOffset })
        let logs = shards.map(\.log)
        segments = logs.flatMap(\.segments).sorted { ($0.firstTimeNs ?? .min) < ($1.firstTimeNs ?? .min) }
        segmentCount = logs.reduce(0) { $0 + $1.segmentCount }
        eventCount = logs.reduce(0) { $0 + $1.eventCount }
        sizeBytes = logs.reduce(0) { $0 + $1.sizeBytes }
        rawBytes = logs.reduce(0) { $0 + $1.rawBytes }
        compressionRatio = sizeBytes > 0 && rawBytes > 0 ? Double(rawBytes) / Double(sizeBytes) : nil
        firstOffset = logs.contains { $0.firstOffset != nil } ? logs.reduce(0) { $0 + ($1.firstOffset ?? $1.nextOffset) } : nil
        lastOffset = eventCount > 0 && nextOffset > 0 ? nextOffset - 1 : nil
        firstTimeNs = logs.compactMap(\.firstTimeNs).min()
        lastTimeNs = logs.compactMap(\.lastTimeNs).max()
        firstTime = firstTimeNs.map(EventTime.formatRFC3339)
        lastTime = lastTimeNs.map(EventTime.formatRFC3339)
        streams = Dictionary(shards.map { ($0.stream, $0.log) }, uniquingKeysWith: { first, _ in first })
    }
}
