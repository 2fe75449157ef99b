import EventStore
import Projections

/// Fold throughput over prebuilt events: `ProjectionSet` alone (every view), and
/// `EngineState` (every view plus the alert-rule engine, what the host folds).
enum FoldBench {
    struct Result {
        var setEventsPerSecond: Double
        var engineEventsPerSecond: Double
        /// The engine state after folding the stream once, for the checkpoint figures.
        var state: EngineState<ProjectionSet>
    }

    static func run(_ events: [Event], runs: Int) -> Result {
        let clock = ContinuousClock()
        var setSamples: [Double] = []
        var folded = 0 as UInt64
        for _ in 0..<runs {
            var set = ProjectionSet()
            let elapsed = clock.measure {
                var offset: UInt64 = 0
                for event in events {
                    set.apply(event, offset: offset)
                    offset += 1
                }
            }
            folded &+= set.eventCount
            setSamples.append(Double(events.count) / Measure.seconds(elapsed))
        }
        precondition(folded == UInt64(events.count * runs), "every event must be folded")

        var engineSamples: [Double] = []
        var last = EngineState<ProjectionSet>(rules: .defaults)
        for _ in 0..<runs {
            var state = EngineState<ProjectionSet>(rules: .defaults)
            let elapsed = clock.measure {
                var offset: UInt64 = 0
                for event in events {
                    _ = state.apply(event, offset: offset, evaluatingRules: true)
                    offset += 1
                }
            }
            engineSamples.append(Double(events.count) / Measure.seconds(elapsed))
            last = state
        }
        return Result(
            setEventsPerSecond: Measure.median(setSamples), engineEventsPerSecond: Measure.median(engineSamples), state: last)
    }
}
