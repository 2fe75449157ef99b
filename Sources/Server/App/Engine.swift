import EventStore
import Logging
import Projections
import ServiceLifecycle
import Runtime

/// The log, the checkpoint store and the projection host of one data directory,
/// behind the small protocols the routes use (`ViewReading`, `EventAppending`,
/// `UpdateFeed`).
///
/// `open` recovers (log tail, then views from the newest usable checkpoint and the
/// log after it); `run()`, as a service, follows the log until graceful shutdown,
/// then lets the fold catch up, writes a last checkpoint and closes the log (flush
/// and fsync).
public final class Engine: UpdateFeed, EventAppending, Service {
    public let log: EventLog
    public let host: ProjectionHost<ProjectionSet>
    public let metrics: EngineMetrics
    public let dataDirectory: String
    public let recovery: ProjectionRecoveryReport
    private let logger: Logger

    /// How long shutdown waits for the fold to reach the log's end before checkpointing.
    public static let shutdownFoldWaitMs = 500
    /// Events `events(fromNs:toNs:...)` reads at most, so a query over a huge log stays bounded.
    public static let timeScanEventsMax: UInt64 = 5_000_000

    private init(
        log: EventLog, host: ProjectionHost<ProjectionSet>, metrics: EngineMetrics, dataDirectory: String,
        recovery: ProjectionRecoveryReport, logger: Logger
    ) {
        self.log = log
        self.host = host
        self.metrics = metrics
        self.dataDirectory = dataDirectory
        self.recovery = recovery
        self.logger = logger
    }

    /// Opens (creating when absent) the data directory and recovers the views.
    public static func open(
        dataDirectory: String, logOptions: LogOptions = LogOptions(), hostOptions: HostOptions = HostOptions(),
        metrics: EngineMetrics = EngineMetrics(), fileSystem: any LogFileSystem = POSIXFileSystem(),
        logger: Logger = Logger(label: "tacho.engine")
    ) async throws -> Engine {
        var observed = logOptions
        observed.observer = metrics
        let log = try EventLog.open(directory: dataDirectory, options: observed, fileSystem: fileSystem, logger: logger)
        do {
            if log.recovery.truncated != nil || !log.recovery.damage.isEmpty {
                logger.warning("log recovery repaired the data directory", metadata: ["report": "\(log.recovery)"])
            }
            let checkpoints = try FileCheckpointStore(dataDirectory: log.directory)
            let snapshots = try hostOptions.snapshots.map { options throws(CheckpointStoreError) in
                try SnapshotSeries(store: FileCheckpointStore(directory: log.directory.snapshotsPath, fileSystem: fileSystem), options: options, logger: logger)
            }
            let host = try ProjectionHost<ProjectionSet>(
                log: log, checkpoints: checkpoints, snapshots: snapshots, options: hostOptions, logger: logger)
            let report = try await host.recover()
            return Engine(log: log, host: host, metrics: metrics, dataDirectory: dataDirectory, recovery: report, logger: logger)
        } catch {
            try? await log.close()
            throw error
        }
    }

    // MARK: Service

    public func run() async throws {
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try await self.host.run()
                    return true
                }
                group.addTask {
                    try? await gracefulShutdown()
                    return false
                }
                let hostEnded = try await group.next() ?? true
                if !hostEnded { await waitForFold() }
                group.cancelAll()
                while try await group.next() != nil {}
            }
        } catch {
            failure = error
        }
        // The host wrote its last checkpoint on the way out; this makes the log durable.
        do { try await log.close() } catch {
            logger.error("closing the log failed", metadata: ["error": "\(error)"])
            if failure == nil { failure = error }
        }
        if let failure { throw failure }
    }

    /// Polls until the views cover every acknowledged event, for a bounded time.
    private func waitForFold() async {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(Self.shutdownFoldWaitMs))
        while host.snapshot().nextOffset < log.highWaterMark, clock.now < deadline {
            do { try await Task.sleep(for: .milliseconds(5)) } catch { return }
        }
    }

    /// Polls until the views cover the whole log and the rule engine has nothing left
    /// to append; false when `timeout` passed first.
    public func waitUntilIdle(timeout: Duration = .seconds(60)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            let snapshot = host.snapshot()
            if snapshot.alertsWaiting == 0, snapshot.nextOffset == log.highWaterMark { return true }
            do { try await Task.sleep(for: .milliseconds(2)) } catch { return false }
        }
        return false
    }

    /// Polls until the views cover offsets below `nextOffset`; false when `timeout` passed first.
    public func waitForViews(coveringBelow nextOffset: UInt64, timeout: Duration = .seconds(10)) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while host.snapshot().nextOffset < nextOffset {
            guard clock.now < deadline else { return false }
            do { try await Task.sleep(for: .milliseconds(2)) } catch { return false }
        }
        return true
    }

    // MARK: ViewReading

    public func currentSnapshot() -> EngineSnapshot<ProjectionSet> {
        host.snapshot()
    }

    public func snapshot(atNs timeNs: Int64) async throws -> EngineSnapshot<ProjectionSet> {
        try await host.views(atNs: timeNs)
    }

    public func logInfo() -> LogInfo {
        var info = LogInfo(dataDirectory: dataDirectory, segments: log.segments(), nextOffset: log.highWaterMark)
        info.viewSnapshots = host.snapshots.map(LogInfo.ViewSnapshots.init)
        info.queryCache = LogInfo.QueryCache(log.decodedSamples)
        return info
    }

    public func events(fromNs: Int64, toNs: Int64, limit: Int, include: @Sendable (Event) -> Bool) throws -> [LoggedEvent] {
        precondition(limit >= 0, "limit must not be negative")
        guard fromNs <= toNs, limit > 0 else { return [] }
        let reader = log.reader(fromTimeNs: fromNs)
        var found: [LoggedEvent] = []
        var scanned: UInt64 = 0
        while let batch = try Self.next(reader), scanned < Self.timeScanEventsMax {
            scanned += UInt64(batch.events.count)
            var anyInRange = false
            for (index, event) in batch.events.enumerated() where event.timeNs >= fromNs && event.timeNs <= toNs {
                anyInRange = true
                guard include(event) else { continue }
                found.append(LoggedEvent(offset: batch.baseOffset + UInt64(index), event: event))
                if found.count == limit { return found }
            }
            // Producers' clocks may disagree a little, so only a batch wholly past the
            // range ends the scan.
            if !anyInRange, batch.events.allSatisfy({ $0.timeNs > toNs }) { break }
        }
        return found
    }

    // MARK: UpdateFeed

    public func updates() -> AsyncStream<EngineUpdate> {
        host.updates()
    }

    public func scanLog(fromOffset offset: UInt64, _ visit: (LogBatch) throws -> Bool) throws {
        let reader = log.reader(from: offset)
        while let batch = try Self.next(reader) {
            guard try visit(batch) else { return }
        }
    }

    /// The next batch, skipping damaged ones (reported by `tacho verify`) as the live tail does.
    static func next(_ reader: LogReader) throws -> LogBatch? {
        try reader.nextIntact()
    }

    // MARK: EventAppending

    public func append(_ events: [Event]) async throws -> ClosedRange<UInt64> {
        try await log.append(events)
    }
}

extension LogError: DiskFullReporting {
    /// A write refused for lack of space: ingest answers 507 and the producer retries later.
    public var isDiskFull: Bool {
        switch self {
        case .appendFailed(let error), .fileSystem(let error): error.code == .noSpace
        default: false
        }
    }
}
