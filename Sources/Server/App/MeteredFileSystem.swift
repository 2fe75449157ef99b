import EventStore

/// The log's file system with the engine's counters on it: bytes, batches and events
/// written to segment files, fsyncs of segment files, and compactions (a re-packed
/// segment renamed over the old one). Counting at the file layer sees every writer —
/// ingest, the rule engine's alerts, the collector, the demo — without the log
/// having to know about `/metrics`.
public struct MeteredFileSystem: LogFileSystem {
    let base: any LogFileSystem
    let metrics: EngineMetrics

    static let segmentSuffix = ".seg"
    static let temporarySuffix = ".tmp"

    public init(base: any LogFileSystem = POSIXFileSystem(), metrics: EngineMetrics) {
        self.base = base
        self.metrics = metrics
    }

    public func open(_ path: String, create: Bool, truncate: Bool) throws(FileSystemError) -> any LogFile {
        let file = try base.open(path, create: create, truncate: truncate)
        guard path.hasSuffix(Self.segmentSuffix) else { return file }
        return MeteredSegmentFile(base: file, metrics: metrics)
    }

    public func rename(from: String, to: String) throws(FileSystemError) {
        try base.rename(from: from, to: to)
        if to.hasSuffix(Self.segmentSuffix), from == to + Self.temporarySuffix { metrics.recordCompaction() }
    }

    public func remove(_ path: String) throws(FileSystemError) { try base.remove(path) }
    public func list(directory: String) throws(FileSystemError) -> [String] { try base.list(directory: directory) }
    public func createDirectory(_ path: String) throws(FileSystemError) { try base.createDirectory(path) }
    public func exists(_ path: String) -> Bool { base.exists(path) }
    public func syncDirectory(_ path: String) throws(FileSystemError) { try base.syncDirectory(path) }
}

/// A segment file whose writes are walked frame by frame (the batch frame header's
/// magic, total length and event count) to count batches and events.
final class MeteredSegmentFile: LogFile {
    private let base: any LogFile
    private let metrics: EngineMetrics
    /// Bytes of a frame whose header was counted but whose rest a short write left
    /// for the next call.
    private var frameBytesPending = 0

    /// "TBAT" as a little-endian UInt32: the batch frame magic of format version 1.
    static let batchMagic: UInt32 = 0x5441_4254
    static let frameHeaderBytes = 48
    static let eventCountPosition = 20

    init(base: any LogFile, metrics: EngineMetrics) {
        self.base = base
        self.metrics = metrics
    }

    func read(at position: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        try base.read(at: position, into: buffer)
    }

    func write(_ bytes: UnsafeRawBufferPointer, at position: UInt64) throws(FileSystemError) -> Int {
        let written = try base.write(bytes, at: position)
        count(UnsafeRawBufferPointer(rebasing: bytes[..<written]))
        return written
    }

    func sync() throws(FileSystemError) {
        try base.sync()
        metrics.recordFsync()
    }

    func truncate(to sizeBytes: UInt64) throws(FileSystemError) { try base.truncate(to: sizeBytes) }
    func sizeBytes() throws(FileSystemError) -> UInt64 { try base.sizeBytes() }
    func close() { base.close() }

    private func count(_ bytes: UnsafeRawBufferPointer) {
        var position = 0
        var events = 0
        var batches = 0
        var frameBytes = 0
        if frameBytesPending > 0 {
            let taken = min(frameBytesPending, bytes.count)
            frameBytesPending -= taken
            frameBytes += taken
            position = taken
        }
        // A header split by a short write is not parsed: the counts stay exact for
        // every frame written whole and undercount only in that rare case.
        while position + Self.frameHeaderBytes <= bytes.count {
            let magic = bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self).littleEndian
            guard magic == Self.batchMagic else { break }
            let length = Int(bytes.loadUnaligned(fromByteOffset: position + 4, as: UInt32.self).littleEndian)
            guard length >= Self.frameHeaderBytes else { break }
            events += Int(bytes.loadUnaligned(fromByteOffset: position + Self.eventCountPosition, as: UInt32.self).littleEndian)
            batches += 1
            let available = min(length, bytes.count - position)
            frameBytes += available
            frameBytesPending = length - available
            position += available
        }
        guard batches > 0 || frameBytes > 0 else { return }
        metrics.recordAppend(events: events, bytes: frameBytes)
        for _ in 0..<batches { metrics.recordBatchWritten() }
    }
}
