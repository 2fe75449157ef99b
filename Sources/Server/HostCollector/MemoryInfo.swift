/// The figures of `/proc/meminfo` the vitals need, in bytes.
public struct MemoryInfo: Sendable, Equatable {
    public var totalBytes: UInt64
    public var availableBytes: UInt64
    public var buffersBytes: UInt64
    public var cachedBytes: UInt64
    public var swapTotalBytes: UInt64
    public var swapFreeBytes: UInt64

    public init(totalBytes: UInt64, availableBytes: UInt64, buffersBytes: UInt64, cachedBytes: UInt64, swapTotalBytes: UInt64, swapFreeBytes: UInt64) {
        self.totalBytes = totalBytes
        self.availableBytes = availableBytes
        self.buffersBytes = buffersBytes
        self.cachedBytes = cachedBytes
        self.swapTotalBytes = swapTotalBytes
        self.swapFreeBytes = swapFreeBytes
    }

    /// Total minus available: what applications hold and cannot give back.
    public var usedBytes: UInt64 { totalBytes > availableBytes ? totalBytes - availableBytes : 0 }
    public var swapUsedBytes: UInt64 { swapTotalBytes > swapFreeBytes ? swapTotalBytes - swapFreeBytes : 0 }

    /// Values are in kB (the kernel's "kB" means KiB). Kernels before 3.14 have no
    /// `MemAvailable`; free + buffers + cached is the usual stand-in there.
    public static func parse(procMeminfo text: String) throws(ProcParseError) -> MemoryInfo {
        var values: [Substring: UInt64] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let rest = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
            guard let number = rest.first.flatMap({ UInt64($0) }) else { continue }
            let multiplier: UInt64 = rest.count > 1 && rest[1] == "kB" ? 1024 : 1
            values[key] = number &* multiplier
        }
        guard let total = values["MemTotal"] else {
            throw ProcParseError(file: "/proc/meminfo", reason: "no MemTotal line")
        }
        let buffers = values["Buffers"] ?? 0
        let cached = values["Cached"] ?? 0
        let available = values["MemAvailable"] ?? ((values["MemFree"] ?? 0) &+ buffers &+ cached)
        return MemoryInfo(
            totalBytes: total, availableBytes: min(available, total), buffersBytes: buffers, cachedBytes: cached,
            swapTotalBytes: values["SwapTotal"] ?? 0, swapFreeBytes: values["SwapFree"] ?? 0)
    }
}
