import EventStore

/// What a rule set would have done over a recorded range, next to what was recorded.
public struct BacktestReport: Sendable, Equatable {
    /// Alerts the rules would have raised, in firing order, with resolution times.
    public let fired: [AlertOccurrence]
    /// `alert` events found in the range, with the times their `alert_resolve` came.
    public let recorded: [AlertOccurrence]
    public let diff: AlertDiff
    public let eventsRead: UInt64
    /// More than `RuleLimits.backtestAlertsMax` alerts on either side; later ones were left out.
    public let truncated: Bool
    /// The engine after the last event: its pending and active alerts at the range's end.
    public let finalEngine: RuleEngine
}

extension RuleLimits {
    /// Alerts kept per side of a back-test report.
    public static let backtestAlertsMax = 100_000
}

extension RuleEngine {
    /// Back-tests `rules` over `events` without appending anything. `figures` is folded
    /// alongside (pass the projection set, fresh or restored from a checkpoint at the
    /// range's start), each event applied to it before the engine sees it, as live.
    public static func backtest<Figures: FigureSource & Projection>(
        rules: RuleSet, events: some Sequence<LoggedEvent>, figures: Figures, toleranceSeconds: Int64 = 0
    ) -> BacktestReport {
        backtest(rules: rules, events: events, figures: figures, toleranceSeconds: toleranceSeconds) { figures, logged in
            figures.apply(logged.event, offset: logged.offset)
        }
    }

    /// The same, for figures that are not a `Projection`: `advance` folds one event
    /// into them before the engine evaluates it.
    public static func backtest<Figures: FigureSource>(
        rules: RuleSet, events: some Sequence<LoggedEvent>, figures: Figures, toleranceSeconds: Int64 = 0,
        advance: (inout Figures, LoggedEvent) -> Void
    ) -> BacktestReport {
        var figures = figures
        var engine = RuleEngine(rules: rules)
        var fired = AlertTimeline(countMax: RuleLimits.backtestAlertsMax)
        var recorded = AlertTimeline(countMax: RuleLimits.backtestAlertsMax)
        var eventsRead: UInt64 = 0
        for logged in events {
            eventsRead += 1
            advance(&figures, logged)
            recorded.record(logged.event, offset: logged.offset)
            for emitted in engine.process(logged.event, offset: logged.offset, figures: figures) {
                fired.record(emitted, offset: logged.offset)
            }
        }
        return BacktestReport(
            fired: fired.occurrences, recorded: recorded.occurrences,
            diff: AlertDiff(backtest: fired.occurrences, recorded: recorded.occurrences, toleranceSeconds: toleranceSeconds),
            eventsRead: eventsRead, truncated: fired.truncated || recorded.truncated, finalEngine: engine
        )
    }
}
