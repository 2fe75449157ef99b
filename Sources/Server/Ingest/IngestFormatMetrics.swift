import NIOConcurrencyHelpers

/// The ways events arrive; the `format` label of the per-format ingest counters.
public enum IngestFormat: String, Sendable, CaseIterable {
    case remoteWrite = "remote_write"
    case prometheusText = "prometheus_text"
    case scrape
    case influx
    case statsd
    case otlp
}

/// Why a sample of a foreign format was left out of an accepted request, as the
/// mapping in docs/ingest.md documents; the `reason` label of
/// `tacho_ingest_samples_skipped_total`.
public enum IngestSkipReason: String, Sendable, CaseIterable {
    /// OTLP DELTA points that are NaN or ±Inf or would make the running total so (other
    /// NaN and ±Inf samples are kept, as Prometheus keeps them).
    case nonFinite = "non_finite"
    /// Prometheus native-histogram samples of a remote-write request.
    case nativeHistogram = "native_histogram"
    /// Exemplars of a remote-write request.
    case exemplar
    /// Influx string fields.
    case stringField = "string_field"
    /// StatsD lines that are not StatsD, or past the bounds of the aggregator.
    case malformedLine = "malformed_line"
    /// OTLP exponential-histogram points.
    case exponentialHistogram = "exponential_histogram"
}

/// Requests, events and refusals per foreign format, written to `/metrics` beside the
/// engine's own counters. Updated once per request, never per sample.
public final class IngestFormatMetrics: Sendable {
    public struct Counts: Sendable, Equatable {
        public var requests: UInt64 = 0
        public var events: UInt64 = 0
        public var errors: [IngestErrorReason: UInt64] = [:]
        public var skipped: [IngestSkipReason: UInt64] = [:]
    }

    private let state = NIOLockedValueBox([IngestFormat: Counts]())
    /// StatsD datagrams and lines received (parsed, malformed or refused alike): what a
    /// sender can compare with what it sent, as statsd_exporter's `lines_total`.
    private let statsd = NIOLockedValueBox((datagrams: UInt64(0), lines: UInt64(0)))

    public init() {}

    public func recordStatsDDatagram(lines: Int) {
        statsd.withLockedValue {
            $0.datagrams += 1
            $0.lines += UInt64(lines)
        }
    }

    public var statsdReceived: (datagrams: UInt64, lines: UInt64) { statsd.withLockedValue { $0 } }

    public func counts(_ format: IngestFormat) -> Counts { state.withLockedValue { $0[format] ?? Counts() } }

    public func recordRequest(_ format: IngestFormat) { state.withLockedValue { $0[format, default: Counts()].requests += 1 } }

    public func recordAccepted(_ format: IngestFormat, events: Int, skipped: [IngestSkipReason: Int]) {
        precondition(events >= 0, "accepted counts are non-negative")
        state.withLockedValue {
            $0[format, default: Counts()].events += UInt64(events)
            for (reason, count) in skipped where count > 0 { $0[format, default: Counts()].skipped[reason, default: 0] += UInt64(count) }
        }
    }

    public func recordError(_ format: IngestFormat, _ reason: IngestErrorReason) {
        state.withLockedValue { $0[format, default: Counts()].errors[reason, default: 0] += 1 }
    }

    public func write(to exposition: inout PrometheusExposition) {
        let all = state.withLockedValue { $0 }
        let received = statsdReceived
        exposition.counter("tacho_statsd_datagrams_total", help: "StatsD datagrams received on --statsd-port.", value: Double(received.datagrams))
        exposition.counter("tacho_statsd_lines_total", help: "StatsD lines received (parsed, malformed or refused alike).", value: Double(received.lines))
        let formats = IngestFormat.allCases
        exposition.counter(
            "tacho_ingest_format_requests_total", help: "Requests (scrapes for the scraper) received, by format.",
            formats.map { .init(labels: [("format", $0.rawValue)], value: Double(all[$0]?.requests ?? 0)) })
        exposition.counter(
            "tacho_ingest_format_events_total", help: "Events appended, by format.",
            formats.map { .init(labels: [("format", $0.rawValue)], value: Double(all[$0]?.events ?? 0)) })
        exposition.counter(
            "tacho_ingest_format_errors_total", help: "Requests refused (nothing appended), by format and reason.",
            formats.flatMap { format in
                IngestErrorReason.allCases.map {
                    .init(labels: [("format", format.rawValue), ("reason", $0.rawValue)], value: Double(all[format]?.errors[$0] ?? 0))
                }
            })
        exposition.counter(
            "tacho_ingest_samples_skipped_total", help: "Samples of accepted requests left out as docs/ingest.md documents, by format and reason.",
            formats.flatMap { format in
                IngestSkipReason.allCases.map {
                    .init(labels: [("format", format.rawValue), ("reason", $0.rawValue)], value: Double(all[format]?.skipped[$0] ?? 0))
                }
            })
    }
}
