/// The views that read several projections, wired to this set's states.
extension ProjectionSet {
    public func healthView() -> HealthView {
        health.view(breakers: breakers, optimization: optimization, caches: caches)
    }

    public func topologyView() -> TopologyView {
        topology.view(breakers: breakers)
    }

    public func faultToleranceView(lastCheckpointOffset: UInt64? = nil, lastCheckpointTimeNs: Int64? = nil) -> FaultToleranceView {
        faultTolerance.view(
            breakers: breakers, lastCheckpointOffset: lastCheckpointOffset, lastCheckpointTimeNs: lastCheckpointTimeNs)
    }

    public func suggestionsView() -> SuggestionsView {
        SuggestionRules.suggestions(
            optimization: optimization, caches: caches, batching: batching, breakers: breakers, nowNs: lastEventTimeNs)
    }
}
