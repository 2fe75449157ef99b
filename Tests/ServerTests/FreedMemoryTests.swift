import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Server

@Suite(.serialized) struct FreedMemoryTests {
    #if canImport(Glibc)
    @Test func release_handsTheFreeHeapPagesOfAFragmentedHeapBackToTheSystem() throws {
        // 96 MiB in 1 KiB blocks, every 64th kept: the 63 freed between two kept ones
        // merge into free chunks inside the heap, which free() alone never returns.
        let blockBytes = 1024, blocks = 96 * 1024, keptEvery = 64
        var pointers: [UnsafeMutableRawPointer] = []
        pointers.reserveCapacity(blocks)
        for _ in 0..<blocks {
            let block = try #require(malloc(blockBytes))
            memset(block, 0x5A, blockBytes)
            pointers.append(block)
        }
        for (index, block) in pointers.enumerated() where index % keptEvery != 0 { free(block) }
        defer { for (index, block) in pointers.enumerated() where index % keptEvery == 0 { free(block) } }
        let before = try #require(FreedMemory.residentBytes())
        #expect(FreedMemory.release())
        let after = try #require(FreedMemory.residentBytes())
        let releasedMiB = (Int64(before) - Int64(after)) >> 20
        // ~93 MiB were freed; pages straddling a kept block stay.
        #expect(releasedMiB >= 48, "resident \(before >> 20) MiB before the release, \(after >> 20) MiB after")
    }
    #endif

    @Test func limitArenas_leavesAnArenaMaxTheOperatorSet() {
        #expect(!FreedMemory.limitArenas(to: 4, environment: ["MALLOC_ARENA_MAX": "1"]))
        #if canImport(Glibc)
        #expect(FreedMemory.limitArenas(to: FreedMemory.arenasPerCore * ProcessInfo.processInfo.activeProcessorCount, environment: [:]))
        #endif
    }

    @Test(arguments: [(10_000, true), (0, false)])
    func server_releasesFreedMemoryAtItsInterval_andNotWhenItIsZero(intervalMs: Int, runsAReleaser: Bool) async throws {
        let directory = try TemporaryDirectory("freed-memory")
        defer { directory.remove() }
        var options = ServerOptions()
        options.dataDirectory = directory.path
        options.collectsHostVitals = false
        options.memoryReleaseIntervalMs = intervalMs
        let app = try await TachoApp.open(options: options)
        let releasers = app.services(onListening: { _ in }).compactMap { $0 as? FreedMemoryReleaser<ContinuousClock> }
        try await app.engine.log.close()
        #expect(releasers.count == (runsAReleaser ? 1 : 0))
        #expect(releasers.first?.interval == (runsAReleaser ? .milliseconds(intervalMs) : nil))
    }

    @Test func memoryReleaseInterval_betweenZeroAndATenthOfASecond_isRefused() throws {
        var options = ServerOptions()
        #expect(options.memoryReleaseIntervalMs == 10_000)
        options.memoryReleaseIntervalMs = 0
        try options.validate()
        options.memoryReleaseIntervalMs = 50
        #expect(throws: ServerOptionsError.self) { try options.validate() }
    }
}
