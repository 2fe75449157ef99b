/// The 1, 5 and 15 minute load averages of `/proc/loadavg`.
public struct LoadAverage: Sendable, Equatable {
    public var oneMinute: Double
    public var fiveMinutes: Double
    public var fifteenMinutes: Double

    public init(oneMinute: Double, fiveMinutes: Double, fifteenMinutes: Double) {
        self.oneMinute = oneMinute
        self.fiveMinutes = fiveMinutes
        self.fifteenMinutes = fifteenMinutes
    }

    public static func parse(procLoadavg text: String) throws(ProcParseError) -> LoadAverage {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).prefix(3).map { Double($0) }
        guard fields.count == 3, let one = fields[0], let five = fields[1], let fifteen = fields[2],
              one.isFinite, five.isFinite, fifteen.isFinite else {
            throw ProcParseError(file: "/proc/loadavg", reason: "expected three numbers, got '\(text.prefix(40))'")
        }
        return LoadAverage(oneMinute: one, fiveMinutes: five, fifteenMinutes: fifteen)
    }
}
