import EventStore

extension Analyzer {
    /// The report of everything added so far. Does not change the fold: more events
    /// can be added and a later report taken.
    public func report() -> AnalysisReport {
        var closing = self
        closing.closeMinute()
        closing.health.sample()
        return closing.build()
    }

    private func build() -> AnalysisReport {
        var eventCounts: [String: UInt64] = [:]
        for type in EventType.allCases where counts[Int(type.rawValue)] > 0 {
            eventCounts[type.name] = counts[Int(type.rawValue)]
        }
        let endNs = lastNs ?? 0
        var report = AnalysisReport(
            range: rangeSummary(), eventCounts: eventCounts, throughput: throughputSummary(),
            latency: LatencyReport(
                overall: overall.summary(), byOperation: byOperation.mapValues { $0.summary() },
                byProtocol: byProtocol.mapValues { $0.summary() }, perMinute: latencyPerMinute),
            errors: ErrorSummary(
                operations: overall.count, failed: failed,
                errorPercent: overall.count == 0 ? 0 : Rounding.percent(Double(failed) * 100 / Double(overall.count)),
                worstMinute: worstMinute),
            breakers: breakers.mapValues { $0.summary(endNs: endNs) },
            alerts: alertsSummary(),
            cache: CacheSummary(
                hits: cacheHits, misses: cacheMisses,
                hitRate: cacheHits + cacheMisses == 0 ? nil : Rounding.ratio(Double(cacheHits) / Double(cacheHits + cacheMisses)),
                perMinute: cachePerMinute),
            optimizations: optimizations, health: healthSummary(), findings: [])
        report.findings = AnalysisFindings.findings(for: report)
        return report
    }

    private func rangeSummary() -> AnalysisRange {
        let seconds: Int64 = {
            guard let firstNs, let lastNs else { return 0 }
            return (Self.floor(lastNs, to: EventTime.nanosPerSecond) - Self.floor(firstNs, to: EventTime.nanosPerSecond)) / EventTime.nanosPerSecond + 1
        }()
        return AnalysisRange(
            events: events, firstOffset: firstOffset, lastOffset: lastOffset, firstEventNs: firstNs, lastEventNs: lastNs,
            first: firstNs.map(EventTime.formatRFC3339), last: lastNs.map(EventTime.formatRFC3339), seconds: seconds)
    }

    /// Every second of the range counts, those before the first and after the last
    /// operation too: an idle second is the lowest rate there is.
    private func throughputSummary() -> ThroughputSummary {
        var counter = throughput
        if let current = counter.currentSecond { counter.close(count: counter.currentCount, second: current) }
        let nanos = EventTime.nanosPerSecond
        if let firstNs, let first = counter.firstSecond, Self.floor(firstNs, to: nanos) / nanos < first {
            counter.close(count: 0, second: Self.floor(firstNs, to: nanos) / nanos)
        }
        if let lastNs, let current = counter.currentSecond, Self.floor(lastNs, to: nanos) / nanos > current {
            counter.close(count: 0, second: current + 1)
        }
        let seconds = rangeSummary().seconds
        return ThroughputSummary(
            operations: counter.total, meanPerSecond: seconds == 0 ? 0 : Rounding.ms(Double(counter.total) / Double(seconds)),
            peakPerSecond: counter.peak?.count ?? 0, peakAt: counter.peak.map { EventTime.formatRFC3339($0.second * nanos) },
            lowestPerSecond: counter.lowest?.count ?? 0, lowestAt: counter.lowest.map { EventTime.formatRFC3339($0.second * nanos) })
    }

    private func alertsSummary() -> AlertsSummary {
        let lives = alerts.map { track in
            AlertsSummary.AlertLife(
                id: track.alert.id, kind: track.alert.kind, severity: track.alert.severity.rawValue,
                connection: track.alert.connection, raised: EventTime.formatRFC3339(track.raisedNs), raisedNs: track.raisedNs,
                secondsToAcknowledge: track.acknowledgedNs.map { Self.seconds(from: track.raisedNs, to: $0) },
                secondsToResolve: track.resolvedNs.map { Self.seconds(from: track.raisedNs, to: $0) })
        }
        let acks = lives.compactMap(\.secondsToAcknowledge)
        let resolves = lives.compactMap(\.secondsToResolve)
        return AlertsSummary(
            raised: UInt64(lives.count), acknowledged: UInt64(acks.count), resolved: UInt64(resolves.count),
            meanSecondsToAcknowledge: acks.isEmpty ? nil : Rounding.ms(acks.reduce(0, +) / Double(acks.count)),
            meanSecondsToResolve: resolves.isEmpty ? nil : Rounding.ms(resolves.reduce(0, +) / Double(resolves.count)),
            alerts: lives)
    }

    private func healthSummary() -> HealthSummary {
        let points = health.samples.map { MinutePoint(minute: EventTime.formatRFC3339($0.minuteNs), minuteNs: $0.minuteNs, value: $0.score) }
        var changes: [HealthSummary.StatusChange] = []
        for (previous, next) in zip(health.samples, health.samples.dropFirst()) where previous.status != next.status {
            changes.append(.init(minute: EventTime.formatRFC3339(next.minuteNs), from: previous.status, to: next.status))
        }
        return HealthSummary(
            perMinute: points, min: points.min { $0.value < $1.value }, max: points.max { $0.value < $1.value },
            statusChanges: changes)
    }

    static func seconds(from startNs: Int64, to endNs: Int64) -> Double {
        Rounding.ms(Double(endNs - startNs) / Double(EventTime.nanosPerSecond))
    }
}

extension BreakerTrack {
    func summary(endNs: Int64) -> BreakerSummary {
        var intervals = closedIntervals.map { interval in
            BreakerSummary.OpenInterval(
                from: EventTime.formatRFC3339(interval.fromNs), fromNs: interval.fromNs, to: EventTime.formatRFC3339(interval.toNs),
                seconds: Analyzer.seconds(from: interval.fromNs, to: interval.toNs))
        }
        if let since = openSinceNs {
            intervals.append(.init(
                from: EventTime.formatRFC3339(since), fromNs: since, to: nil, seconds: Analyzer.seconds(from: since, to: max(since, endNs))))
        }
        return BreakerSummary(
            transitions: transitions, opened: opened, openSeconds: Rounding.ms(intervals.reduce(0) { $0 + $1.seconds }),
            openIntervals: intervals)
    }
}
