import EventStore

extension PrometheusTextParser.Parsed {
    /// The samples as `metric` events: a sample without a timestamp takes `defaultTimeNs`;
    /// `targetLabels` (the scraper's `job` and `instance`) are added, and a sample's own
    /// label of the same name is kept as `exported_<name>`, as Prometheus does with
    /// `honor_labels: false`. Errors name the sample's line.
    func events(defaultTimeNs: Int64, targetLabels: [(String, String)] = []) throws(IngestInputError) -> IngestPipeline.Decoded {
        var events: [Event] = []
        events.reserveCapacity(samples.count)
        for sample in samples {
            var labels = sample.labels
            if !targetLabels.isEmpty {
                for (position, label) in labels.enumerated() where targetLabels.contains(where: { $0.0 == label.0 }) {
                    labels[position].0 = "exported_" + label.0
                }
                labels += targetLabels
            }
            let key: SeriesKey
            do { key = try ForeignSeries.key(name: sample.name, labels: labels) } catch {
                throw IngestInputError("exposition: line \(sample.line), '\(sample.name)': \(error)")
            }
            events.append(Event(
                timeNs: sample.timeNs ?? defaultTimeNs, body: .metric(MetricSample(series: key, value: sample.value, kind: sample.kind))))
        }
        return IngestPipeline.Decoded(events: events)
    }
}
