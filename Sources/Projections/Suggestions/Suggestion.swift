import EventStore

public enum SuggestionPriority: String, Encodable, Sendable, Equatable, Comparable {
    case high
    case medium
    case low

    private var rank: Int {
        switch self {
        case .high: 0
        case .medium: 1
        case .low: 2
        }
    }

    /// High sorts first.
    public static func < (lhs: SuggestionPriority, rhs: SuggestionPriority) -> Bool { lhs.rank < rhs.rank }
}

/// The parameter change a suggestion proposes: applying it appends this as an
/// `optimization` event.
public struct SuggestedChange: Encodable, Sendable, Equatable {
    public var mode: OptimizationMode
    public var efficiency: Double
    public var params: OptimizationParams
    public var reason: String

    public var optimizationChange: OptimizationChange {
        OptimizationChange(mode: mode, efficiency: efficiency, params: params, reason: reason)
    }
}

/// One recommendation.
public struct Suggestion: Encodable, Sendable, Equatable {
    /// Stable per rule: the same condition keeps the same id, so a client can apply it by id.
    public var id: String
    /// The rule's area: `cache`, `batching`, `resilience`.
    public var type: String
    public var priority: SuggestionPriority
    public var title: String
    public var description: String
    /// A button label; absent when no optimizer parameters are known to change.
    public var action: String?
    public var change: SuggestedChange?
}

/// `GET /api/v1/performance/suggestions`.
public struct SuggestionsView: Encodable, Sendable, Equatable {
    /// High priority first, then by id.
    public var suggestions: [Suggestion]
    public var asOf: String?
    public var asOfNs: Int64?

    /// The `optimization` event to append when the suggestion `id` is applied;
    /// nil when no such suggestion stands or it has no action.
    public func optimizationChange(forSuggestionId id: String) -> OptimizationChange? {
        suggestions.first { $0.id == id }?.change?.optimizationChange
    }
}
