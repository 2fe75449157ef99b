public enum BreakerState: String, Sendable, Codable, CaseIterable, Comparable {
    case closed = "CLOSED"
    case open = "OPEN"
    case halfOpen = "HALF_OPEN"

    public var code: UInt8 {
        switch self {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        }
    }

    public init?(code: UInt8) {
        switch code {
        case 0: self = .closed
        case 1: self = .open
        case 2: self = .halfOpen
        default: return nil
        }
    }

    public static func < (lhs: BreakerState, rhs: BreakerState) -> Bool { lhs.code < rhs.code }
}

/// A circuit-breaker transition.
public struct BreakerTransition: Sendable, Equatable, Hashable {
    public var connection: String
    public var from: BreakerState
    public var to: BreakerState
    public var failures: Int64
    public var reason: String?

    public init(connection: String, from: BreakerState, to: BreakerState, failures: Int64, reason: String? = nil) {
        self.connection = connection
        self.from = from
        self.to = to
        self.failures = failures
        self.reason = reason
    }
}
