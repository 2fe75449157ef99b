/// Operations per event-time second: peak and lowest over the seconds closed so far.
/// A late event (an earlier second) counts in the total but not in a closed second.
struct SecondCounter {
    var total: UInt64 = 0
    var firstSecond: Int64?
    var currentSecond: Int64?
    var currentCount: UInt64 = 0
    var peak: (count: UInt64, second: Int64)?
    var lowest: (count: UInt64, second: Int64)?

    @inline(__always)
    mutating func add(second: Int64) {
        total += 1
        if second == currentSecond {
            currentCount += 1
            return
        }
        if let current = currentSecond, second < current { return }
        if let current = currentSecond {
            close(count: currentCount, second: current)
            if second > current + 1 { close(count: 0, second: current + 1) }
        } else {
            firstSecond = second
        }
        currentSecond = second
        currentCount = 1
    }

    mutating func close(count: UInt64, second: Int64) {
        if peak.map({ count > $0.count }) ?? true { peak = (count, second) }
        if lowest.map({ count < $0.count }) ?? true { lowest = (count, second) }
    }
}
