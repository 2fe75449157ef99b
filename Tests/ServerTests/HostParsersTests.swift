import Testing
@testable import Server

@Suite struct HostParsersTests {
    static let stat1 = """
        cpu  100 0 50 800 50 0 0 0 0 0
        cpu0 60 0 20 400 20 0 0 0 0 0
        cpu1 40 0 30 400 30 0 0 0 0 0
        intr 12345 0 0
        ctxt 999
        """
    static let stat2 = """
        cpu  160 0 90 900 50 0 0 0 0 0
        cpu0 100 0 40 440 20 0 0 0 0 0
        cpu1 60 0 50 460 30 0 0 0 0 0
        """

    @Test func cpuTimes_parse_splitsBusyAndIdle() throws {
        let times = try CPUTimes.parse(procStat: Self.stat1)
        #expect(times.total == CPUTicks(busy: 150, idle: 850))
        #expect(times.cores[0] == CPUTicks(busy: 80, idle: 420))
        #expect(times.cores.count == 2)
    }

    @Test func cpuPercent_fromDeltas() throws {
        let before = try CPUTimes.parse(procStat: Self.stat1)
        let after = try CPUTimes.parse(procStat: Self.stat2)
        // total: busy +100, idle +100 → 50 %; cpu0: busy +60, idle +40 → 60 %.
        #expect(CPUTicks.busyPercent(from: before.total, to: after.total) == 50)
        #expect(CPUTicks.busyPercent(from: before.cores[0]!, to: after.cores[0]!) == 60)
        #expect(CPUTicks.busyPercent(from: after.total, to: before.total) == nil)
        #expect(CPUTicks.busyPercent(from: before.total, to: before.total) == nil)
    }

    @Test func cpuTimes_withoutAggregateLine_throws() {
        #expect(throws: ProcParseError.self) { try CPUTimes.parse(procStat: "cpu0 1 2 3 4\n") }
        #expect(throws: ProcParseError.self) { try CPUTimes.parse(procStat: "cpu 1 x 3 4\n") }
    }

    @Test func memoryInfo_parse_convertsKiBAndDerivesUsed() throws {
        let info = try MemoryInfo.parse(procMeminfo: """
            MemTotal:       16000000 kB
            MemFree:         2000000 kB
            MemAvailable:   10000000 kB
            Buffers:          500000 kB
            Cached:          6000000 kB
            SwapCached:            0 kB
            SwapTotal:       4000000 kB
            SwapFree:        3000000 kB
            HugePages_Total:       0
            """)
        #expect(info.totalBytes == 16_000_000 * 1024)
        #expect(info.usedBytes == 6_000_000 * 1024)
        #expect(info.availableBytes == 10_000_000 * 1024)
        #expect(info.buffersBytes == 500_000 * 1024)
        #expect(info.cachedBytes == 6_000_000 * 1024)
        #expect(info.swapUsedBytes == 1_000_000 * 1024)
    }

    @Test func memoryInfo_withoutMemAvailable_estimatesIt() throws {
        let info = try MemoryInfo.parse(procMeminfo: "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n")
        #expect(info.availableBytes == 400 * 1024)
        #expect(throws: ProcParseError.self) { try MemoryInfo.parse(procMeminfo: "MemFree: 1 kB\n") }
    }

    @Test func loadAverage_parse() throws {
        #expect(try LoadAverage.parse(procLoadavg: "0.52 1.25 2.00 3/456 7890\n") == LoadAverage(oneMinute: 0.52, fiveMinutes: 1.25, fifteenMinutes: 2))
        #expect(throws: ProcParseError.self) { try LoadAverage.parse(procLoadavg: "nan 1 2\n") }
        #expect(throws: ProcParseError.self) { try LoadAverage.parse(procLoadavg: "") }
    }

    @Test func processUsage_parse_countsFieldsAfterTheCommandName_evenWithParenthesesInIt() throws {
        let stat = "1234 (tacho (x) y) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 150 0 0 20 0 8 0 100 1000000 2000\n"
        let usage = try ProcessUsage.parse(selfStat: stat, selfStatm: "25000 2000 300 10 0 5000 0\n", ticksPerSecond: 100, pageSizeBytes: 4096)
        #expect(usage.cpuSeconds == 4)
        #expect(usage.residentBytes == 2000 * 4096)
        #expect(throws: ProcParseError.self) {
            try ProcessUsage.parse(selfStat: "1234 tacho S 1", selfStatm: "1 2", ticksPerSecond: 100, pageSizeBytes: 4096)
        }
    }
}
