/// How fast a replay's cursor moves: event seconds per wall second, or `max` (fold to
/// the end as fast as the machine allows).
public enum PlaybackSpeed: Sendable, Equatable, CustomStringConvertible {
    case factor(Double)
    case max

    /// Factors accepted; outside it a factor is refused rather than clamped.
    public static let factorRange = 0.001...1_000_000.0

    /// `max`, `10`, `10x`, `0.5`; nil when not one of those within `factorRange`.
    public init?(parsing text: String) {
        if text == "max" {
            self = .max
            return
        }
        let number = text.hasSuffix("x") ? String(text.dropLast()) : text
        guard let value = Double(number), Self.factorRange.contains(value) else { return nil }
        self = .factor(value)
    }

    public var description: String {
        switch self {
        case .max: "max"
        case .factor(let value): "\(value)"
        }
    }
}
