/// A value with the event time it was sampled at; the newest by event time wins, so a
/// late sample never overwrites a fresher one.
public struct Reading: Codable, Sendable, Equatable {
    public var value: Double
    public var timeNs: Int64

    public init(value: Double, timeNs: Int64) {
        self.value = value
        self.timeNs = timeNs
    }

    /// Whether `other` should replace `self`: newer, or as new and larger (so merges
    /// of shards agree whatever their order).
    @inline(__always)
    func isSuperseded(by other: Reading) -> Bool {
        other.timeNs > timeNs || (other.timeNs == timeNs && other.value >= value)
    }
}

extension Optional where Wrapped == Reading {
    @inline(__always)
    mutating func offer(_ reading: Reading) {
        if let current = self, !current.isSuperseded(by: reading) { return }
        self = reading
    }
}
