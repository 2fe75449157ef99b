import EventStore
import Testing
@testable import Projections

@Suite struct SuggestionsRulesTests {
    typealias F = PanelFixtures

    static func set(_ events: [Event]) -> ProjectionSet {
        var set = ProjectionSet()
        for (i, e) in events.enumerated() { set.apply(e, offset: UInt64(i)) }
        return set
    }

    @Test func suggestions_whenCacheHitRateLow_raiseTTLMultiplier_asAManualOptimization() throws {
        let set = Self.set([F.optimization(0, efficiency: 0.7), F.cache(1, "q", hits: 20, misses: 80)])
        let view = set.suggestionsView()
        let suggestion = try #require(view.suggestions.first { $0.id == SuggestionRules.cacheRuleId })
        #expect(suggestion.priority == .high)
        let change = try #require(view.optimizationChange(forSuggestionId: SuggestionRules.cacheRuleId))
        #expect(change.mode == .manual)
        #expect(change.efficiency == 0.7)
        var expected = F.params
        expected.cacheTTLMultiplier = 1.5
        #expect(change.params == expected)
        #expect(change.reason?.contains(SuggestionRules.cacheRuleId) == true)
        #expect(suggestion.action == "Raise cacheTTLMultiplier to 1.5")
    }

    @Test func applyingASuggestion_appendsOptimization_andTheNextViewReflectsIt() throws {
        var set = Self.set([F.optimization(0, efficiency: 0.7), F.cache(1, "q", hits: 50, misses: 50)])
        let change = try #require(set.suggestionsView().optimizationChange(forSuggestionId: SuggestionRules.cacheRuleId))
        set.apply(Event(timeNs: F.at(2), body: .optimization(change)), offset: 99)
        #expect(set.optimization.current?.params.cacheTTLMultiplier == 1.5)
        #expect(set.optimization.view().mode == .manual)
    }

    @Test func suggestions_whenHitRateHealthy_proposeNothingForCache() {
        let set = Self.set([F.optimization(0, efficiency: 0.7), F.cache(1, "q", hits: 90, misses: 10)])
        #expect(set.suggestionsView().suggestions.isEmpty)
    }

    @Test func suggestions_whenBatchBelowOptimal_raiseBatchSizeToOptimal() throws {
        let set = Self.set([F.optimization(0, efficiency: 0.7), F.batch(1, size: 50, optimal: 160)])
        let suggestion = try #require(set.suggestionsView().suggestions.first)
        #expect(suggestion.id == SuggestionRules.batchRuleId && suggestion.priority == .medium)
        #expect(suggestion.change?.params.batchSize == 160)
    }

    @Test func suggestions_whenQueueGrowsAndBatchBelowOptimal_isHighPriority() throws {
        let set = Self.set([
            F.optimization(0, efficiency: 0.7),
            F.batch(1, size: 50, optimal: 100, queueDepth: 10),
            F.batch(2, size: 50, queueDepth: 20),
            F.batch(3, size: 50, queueDepth: 30),
        ])
        let suggestion = try #require(set.suggestionsView().suggestions.first)
        #expect(suggestion.priority == .high)
        #expect(suggestion.change?.params.batchSize == 125)
    }

    @Test func suggestions_whenBreakerFlaps_lowerMaxConcurrentOps() throws {
        var events = [F.optimization(0, efficiency: 0.7)]
        for i in 0..<4 { events.append(F.breaker(Double(10 + i), "db", i % 2 == 0 ? .closed : .open, i % 2 == 0 ? .open : .closed)) }
        let view = Self.set(events).suggestionsView()
        let suggestion = try #require(view.suggestions.first { $0.id == SuggestionRules.flappingRuleId })
        #expect(suggestion.priority == .high)
        #expect(suggestion.change?.params.maxConcurrentOps == 6)
        #expect(suggestion.description.contains("db"))
    }

    @Test func suggestions_whenTransitionsAreSpreadOut_doNotCallItFlapping() {
        var events = [F.optimization(0, efficiency: 0.7)]
        for i in 0..<4 { events.append(F.breaker(Double(i * 200), "db", .closed, .open)) }
        #expect(Self.set(events).suggestionsView().suggestions.isEmpty)
    }

    @Test func suggestions_withoutKnownParams_haveNoAction() throws {
        let view = Self.set([F.cache(1, "q", hits: 1, misses: 9)]).suggestionsView()
        let suggestion = try #require(view.suggestions.first)
        #expect(suggestion.action == nil && suggestion.change == nil)
        #expect(view.optimizationChange(forSuggestionId: suggestion.id) == nil)
    }

    @Test func suggestions_areOrderedHighPriorityFirst() {
        var events = [F.optimization(0, efficiency: 0.7), F.cache(1, "q", hits: 50, misses: 50), F.batch(1, size: 1, optimal: 10)]
        for i in 0..<4 { events.append(F.breaker(Double(10 + i), "db", .closed, .open)) }
        let ids = Self.set(events).suggestionsView().suggestions.map(\.id)
        #expect(ids == [SuggestionRules.flappingRuleId, SuggestionRules.batchRuleId, SuggestionRules.cacheRuleId])
    }
}
