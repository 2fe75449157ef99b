import EventStore

/// The floor under any decoder producing `Event`s: copy each event's prebuilt series
/// key into a new `Event` and drop it, with no decoding at all. Reference counting of
/// `SeriesKey`'s name and labels dominates it.
enum EventFloorBench {
    static func eventsPerSecond(_ events: [Event], batchSize: Int, repetitions: Int) -> Double {
        var templates: [MetricSample] = []
        for event in events.prefix(batchSize) {
            if case .metric(let sample) = event.body { templates.append(sample) }
        }
        precondition(!templates.isEmpty, "the floor needs metric events")
        var built: [Event] = []
        built.reserveCapacity(batchSize)
        var sink = 0
        let seconds = BenchTiming.medianSeconds(repetitions: repetitions) {
            var produced = 0
            templates.withUnsafeBufferPointer { samples in
                while produced < events.count {
                    built.removeAll(keepingCapacity: true)
                    let count = min(batchSize, events.count - produced)
                    for index in 0..<count {
                        let sample = samples[index % samples.count]
                        built.append(Event(timeNs: Int64(index), body: .metric(MetricSample(series: sample.series, value: Double(index), kind: sample.kind))))
                    }
                    produced += count
                    sink &+= built.count
                }
            }
        }
        precondition(sink > 0)
        return Double(events.count) / seconds
    }
}
