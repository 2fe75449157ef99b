import EventStore

/// Rollups of every metric series in three tiers (1 s, 1 min, 1 h), for charts and
/// history. The hot path is one dictionary lookup (the key's hash is cached) and three
/// in-place bucket updates; nothing is allocated per event except when a tier grows.
///
/// The rollups grow with series × history (a day of 10,000 series is hundreds of
/// megabytes): past `seriesKeptInSnapshotsMax` series, view snapshots and `?at=`
/// answers leave them out (`omitted()`, see `Projection.omitLiveOnlyParts`) and a past
/// moment's rollups are folded from the log's samples of the series asked for.
/// Checkpoints keep them all.
public struct SeriesProjection: Projection {
    /// Series kept; samples of new series past this are dropped and counted.
    public static let seriesMaxDefault = 100_000

    public let retention: SeriesRetention
    public let seriesMax: Int
    /// In first-seen order; equality and encoding use key order instead.
    public internal(set) var keys: [SeriesKey] = []
    public internal(set) var states: [SeriesState] = []
    var index: [SeriesKey: Int] = [:]
    /// Samples of series refused because `seriesMax` was reached.
    public private(set) var droppedSamples: UInt64 = 0
    /// Samples older than every tier of their series.
    public private(set) var lateSamples: UInt64 = 0
    /// True for what a view snapshot or a `?at=` answer holds: only the series other
    /// views read at a moment (`namesKeptByViews`), and folding adds no other (a fold
    /// from a snapshot would hold only the events after it).
    public private(set) var isOmitted = false

    /// View snapshots keep the rollups of a state with at most this many series (a
    /// host's vitals, a demo's: at most ~4 MB after a day at one sample a second), so
    /// its `?at=` history is read from them; past it they are left out (`omitted()`).
    public static let seriesKeptInSnapshotsMax = 100

    /// Series the views read at a moment, kept when the rest is left out: the
    /// connections view's `http_connections` family (a handful of series per service).
    public static let namesKeptByViews: Set<String> = ["http_connections", "http_connections_opened_total"]

    /// This projection with only the series named in `namesKeptByViews` (see `isOmitted`).
    public func omitted() -> SeriesProjection {
        var projection = SeriesProjection(retention: retention, seriesMax: seriesMax)
        projection.isOmitted = true
        for (key, state) in zip(keys, states) where Self.namesKeptByViews.contains(key.name) {
            projection.index[key] = projection.keys.count
            projection.keys.append(key)
            projection.states.append(state)
        }
        return projection
    }

    /// A state restored from a view snapshot goes on live: the series it kept go on,
    /// the others start empty.
    public func restarted() -> SeriesProjection {
        var projection = self
        projection.isOmitted = false
        return projection
    }

    /// The live state's: `SeriesRetention.live`.
    public init() {
        self.init(retention: .live, seriesMax: Self.seriesMaxDefault)
    }

    /// This state with each series' tiers cut to `retention`'s (newest buckets kept):
    /// a checkpoint written with the longer tiers of earlier versions goes on live.
    public func retained(_ retention: SeriesRetention) -> SeriesProjection {
        guard retention != self.retention else { return self }
        var projection = SeriesProjection(retention: retention, seriesMax: seriesMax)
        projection.keys = keys
        projection.index = index
        projection.droppedSamples = droppedSamples
        projection.lateSamples = lateSamples
        projection.isOmitted = isOmitted
        projection.states = states.map { $0.retained(retention) }
        return projection
    }

    public init(retention: SeriesRetention, seriesMax: Int) {
        precondition(seriesMax > 0, "seriesMax must be positive")
        self.retention = retention
        self.seriesMax = seriesMax
    }

    public var seriesCount: Int { keys.count }

    public mutating func apply(_ event: Event, offset: UInt64) {
        // NaN, ±Inf and stale markers are for PromQL: the rollups fold finite values.
        guard case .metric(let sample) = event.body, sample.hasFiniteValue,
              !isOmitted || Self.namesKeptByViews.contains(sample.series.name) else { return }
        let i: Int
        if let found = index[sample.series] {
            i = found
        } else {
            guard keys.count < seriesMax else {
                droppedSamples &+= 1
                return
            }
            i = keys.count
            keys.append(sample.series)
            states.append(SeriesState())
            index[sample.series] = i
        }
        if !states[i].record(timeNs: event.timeNs, value: sample.value, kind: sample.kind, retention: retention) {
            lateSamples &+= 1
        }
    }

    public func state(of key: SeriesKey) -> SeriesState? {
        index[key].map { states[$0] }
    }

    /// All series of `name`, sorted by labels.
    public func keys(named name: String) -> [SeriesKey] {
        keys.filter { $0.name == name }.sorted()
    }

    /// Heap bytes held by the tiers of all series (not counting keys and index).
    public var tierFootprintBytes: Int { states.reduce(0) { $0 + $1.footprintBytes } }
}

extension SeriesProjection: Mergeable {
    /// Combines the series of another shard. Shards split sources by label, so their
    /// series are disjoint and this is their union (up to `seriesMax`, the rest
    /// counted as dropped). A series both hold cannot be combined tier by tier after
    /// the fact: the shard whose newest second is later keeps it, and the other's
    /// samples are counted in `droppedSamples`.
    public mutating func merge(_ other: SeriesProjection) {
        if other.isOmitted { self = omitted() }
        droppedSamples &+= other.droppedSamples
        lateSamples &+= other.lateSamples
        for (key, state) in zip(other.keys, other.states) where !isOmitted || Self.namesKeptByViews.contains(key.name) {
            if let i = index[key] {
                let mine = states[i]
                if state.seconds.headUnit > mine.seconds.headUnit { states[i] = state }
                let lost = (state.seconds.headUnit > mine.seconds.headUnit ? mine : state).seconds.ordered.reduce(0) { $0 + UInt64($1.count) }
                droppedSamples &+= lost
            } else if keys.count < seriesMax {
                index[key] = keys.count
                keys.append(key)
                states.append(state)
            } else {
                droppedSamples &+= state.seconds.ordered.reduce(0) { $0 + UInt64($1.count) }
            }
        }
    }
}

extension SeriesProjection: Equatable {
    public static func == (lhs: SeriesProjection, rhs: SeriesProjection) -> Bool {
        guard lhs.isOmitted == rhs.isOmitted, lhs.retention == rhs.retention, lhs.seriesMax == rhs.seriesMax, lhs.keys.count == rhs.keys.count,
              lhs.droppedSamples == rhs.droppedSamples, lhs.lateSamples == rhs.lateSamples
        else { return false }
        for (key, state) in zip(lhs.keys, lhs.states) {
            guard let j = rhs.index[key], rhs.states[j] == state else { return false }
        }
        return true
    }
}

extension SeriesProjection: Codable {
    private enum CodingKeys: String, CodingKey {
        case retention, seriesMax, keys, states, droppedSamples, lateSamples, omitted
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let seriesMax = try c.decode(Int.self, forKey: .seriesMax)
        guard seriesMax > 0 else {
            throw DecodingError.dataCorruptedError(forKey: .seriesMax, in: c, debugDescription: "seriesMax must be positive, got \(seriesMax)")
        }
        self.init(retention: try c.decode(SeriesRetention.self, forKey: .retention), seriesMax: seriesMax)
        let keys = try c.decode([SeriesKey].self, forKey: .keys)
        let states = try c.decode([SeriesState].self, forKey: .states)
        guard keys.count == states.count, keys.count <= seriesMax, Set(keys).count == keys.count else {
            throw DecodingError.dataCorruptedError(forKey: .keys, in: c, debugDescription: "series keys must be unique, at most seriesMax, one per state")
        }
        let r = retention
        guard states.allSatisfy({ $0.seconds.count <= r.second.capacity && $0.minutes.count <= r.minute.capacity && $0.hours.count <= r.hour.capacity }) else {
            throw DecodingError.dataCorruptedError(forKey: .states, in: c, debugDescription: "a series tier holds more buckets than the retention allows")
        }
        self.keys = keys
        self.states = states
        for (i, key) in keys.enumerated() { index[key] = i }
        droppedSamples = try c.decode(UInt64.self, forKey: .droppedSamples)
        lateSamples = try c.decode(UInt64.self, forKey: .lateSamples)
        isOmitted = try c.decodeIfPresent(Bool.self, forKey: .omitted) ?? false
        guard !isOmitted || keys.allSatisfy({ Self.namesKeptByViews.contains($0.name) }) else {
            throw DecodingError.dataCorruptedError(forKey: .keys, in: c, debugDescription: "a snapshot's series rollups hold only the series views read")
        }
    }

    /// Series in key order, so the bytes never depend on arrival or hash order.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let order = keys.indices.sorted { keys[$0] < keys[$1] }
        try c.encode(retention, forKey: .retention)
        try c.encode(seriesMax, forKey: .seriesMax)
        try c.encode(order.map { keys[$0] }, forKey: .keys)
        try c.encode(order.map { states[$0] }, forKey: .states)
        try c.encode(droppedSamples, forKey: .droppedSamples)
        try c.encode(lateSamples, forKey: .lateSamples)
        if isOmitted { try c.encode(true, forKey: .omitted) }
    }
}
