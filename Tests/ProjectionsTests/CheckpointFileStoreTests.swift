import EventStore
import Foundation
import Testing
@testable import Projections
@testable import Runtime

@Suite struct CheckpointFileStoreTests {
    let directory = HostTestDirectory()
    var checkpointsPath: String { directory.path + "/checkpoints" }

    @Test func save_thenLoad_returnsTheSameBytes_andListsOffsetAndTime() throws {
        defer { directory.remove() }
        let store = try directory.store()
        let content = Array("{\"views\":1}".utf8)
        let info = try store.save(content, nextOffset: 1234, eventTimeNs: -5)
        #expect(info.name == "00000000000000001234.ckpt")
        let listing = try store.list()
        #expect(listing.checkpoints == [info])
        #expect(listing.damaged.isEmpty)
        #expect(try store.load(info) == content)
    }

    @Test func list_ordersNewestFirst_andKeepsAMissingEventTime() throws {
        defer { directory.remove() }
        let store = try directory.store()
        try store.save([1], nextOffset: 0, eventTimeNs: nil)
        try store.save([2], nextOffset: 900, eventTimeNs: 9)
        try store.save([3], nextOffset: 50, eventTimeNs: 5)
        let listing = try store.list()
        #expect(listing.checkpoints.map(\.nextOffset) == [900, 50, 0])
        #expect(listing.checkpoints.last?.eventTimeNs == nil)
    }

    @Test func prune_keepsTheNewestN_andRemovesOlderFiles() throws {
        defer { directory.remove() }
        let store = try directory.store()
        for offset in [10, 20, 30, 40, 50] as [UInt64] { try store.save([UInt8(offset)], nextOffset: offset, eventTimeNs: Int64(offset)) }
        let removed = try store.prune(keepingNewest: 3)
        #expect(removed == [FileCheckpointStore.fileName(nextOffset: 10), FileCheckpointStore.fileName(nextOffset: 20)])
        #expect(try store.list().checkpoints.map(\.nextOffset) == [50, 40, 30])
    }

    @Test func open_removesStaleTemporaryFiles() throws {
        defer { directory.remove() }
        _ = try directory.store()
        let stale = checkpointsPath + "/" + FileCheckpointStore.fileName(nextOffset: 7) + ".tmp"
        #expect(FileManager.default.createFile(atPath: stale, contents: Data([1, 2, 3])))
        _ = try directory.store()
        #expect(!FileManager.default.fileExists(atPath: stale))
    }

    @Test func load_whenABitIsFlipped_throwsDamagedChecksum() throws {
        defer { directory.remove() }
        let store = try directory.store()
        let info = try store.save(Array(repeating: 0x41, count: 100), nextOffset: 5, eventTimeNs: 1)
        try CheckpointDamageKind.flippedBit.apply(to: checkpointsPath + "/" + info.name)
        #expect(throws: CheckpointStoreError(code: .damaged(reason: "checksum mismatch"), path: checkpointsPath + "/" + info.name)) {
            try store.load(info)
        }
    }

    @Test func list_whenTruncated_reportsTheFileAsDamaged() throws {
        defer { directory.remove() }
        let store = try directory.store()
        let info = try store.save(Array(repeating: 0x41, count: 100), nextOffset: 5, eventTimeNs: 1)
        try CheckpointDamageKind.truncated.apply(to: checkpointsPath + "/" + info.name)
        let listing = try store.list()
        #expect(listing.checkpoints.isEmpty)
        #expect(listing.damaged.map(\.name) == [info.name])
        #expect(listing.damaged.first?.reason.contains("header says") == true)
    }

    @Test func load_whenTheFileWasRemoved_throwsNotFound() throws {
        defer { directory.remove() }
        let store = try directory.store()
        let info = try store.save([1, 2], nextOffset: 5, eventTimeNs: 1)
        try CheckpointDamageKind.missing.apply(to: checkpointsPath + "/" + info.name)
        #expect(throws: CheckpointStoreError(code: .notFound, path: checkpointsPath + "/" + info.name)) { try store.load(info) }
        #expect(try store.list().checkpoints.isEmpty)
    }

    @Test func save_overTheContentLimit_throwsTooLarge_andWritesNothing() throws {
        defer { directory.remove() }
        let store = try FileCheckpointStore(directory: checkpointsPath, contentBytesMax: 8)
        #expect(throws: CheckpointStoreError.self) { try store.save(Array(repeating: 0, count: 9), nextOffset: 1, eventTimeNs: nil) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: checkpointsPath).isEmpty)
    }
}

/// Ways a checkpoint file gets damaged on disk.
enum CheckpointDamageKind: CaseIterable {
    case truncated
    case flippedBit
    case missing

    func apply(to path: String) throws {
        switch self {
        case .missing:
            try FileManager.default.removeItem(atPath: path)
        case .truncated:
            let handle = try #require(FileHandle(forUpdatingAtPath: path))
            let size = try handle.seekToEnd()
            try handle.truncate(atOffset: size / 2)
            try handle.close()
        case .flippedBit:
            var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
            bytes[bytes.count - 3] ^= 0x10
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        }
    }
}
