/// The collecting process's own CPU time and resident memory, from
/// `/proc/self/stat` and `/proc/self/statm`.
public struct ProcessUsage: Sendable, Equatable {
    public var cpuSeconds: Double
    public var residentBytes: UInt64

    public init(cpuSeconds: Double, residentBytes: UInt64) {
        self.cpuSeconds = cpuSeconds
        self.residentBytes = residentBytes
    }

    /// - Parameters:
    ///   - ticksPerSecond: `sysconf(_SC_CLK_TCK)`.
    ///   - pageSizeBytes: `sysconf(_SC_PAGESIZE)`.
    public static func parse(
        selfStat: String, selfStatm: String, ticksPerSecond: Int, pageSizeBytes: Int
    ) throws(ProcParseError) -> ProcessUsage {
        precondition(ticksPerSecond > 0 && pageSizeBytes > 0, "clock ticks and page size are positive")
        // The command name (field 2) is in parentheses and may itself hold spaces and
        // parentheses, so fields are counted from the last ')'.
        guard let close = selfStat.lastIndex(of: ")") else {
            throw ProcParseError(file: "/proc/self/stat", reason: "no ')' closing the command name")
        }
        let after = selfStat[selfStat.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // after[0] is field 3 (state); utime and stime are fields 14 and 15.
        guard after.count > 12, let utime = UInt64(after[11]), let stime = UInt64(after[12]) else {
            throw ProcParseError(file: "/proc/self/stat", reason: "fields 14 and 15 (utime, stime) missing or not numbers")
        }
        return ProcessUsage(
            cpuSeconds: Double(utime + stime) / Double(ticksPerSecond),
            residentBytes: try residentBytes(selfStatm: selfStatm, pageSizeBytes: pageSizeBytes))
    }

    /// The resident bytes of `/proc/self/statm` (its second field, in pages).
    public static func residentBytes(selfStatm: String, pageSizeBytes: Int) throws(ProcParseError) -> UInt64 {
        let statm = selfStatm.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard statm.count >= 2, let residentPages = UInt64(statm[1]) else {
            throw ProcParseError(file: "/proc/self/statm", reason: "field 2 (resident pages) missing or not a number")
        }
        return residentPages &* UInt64(pageSizeBytes)
    }
}
