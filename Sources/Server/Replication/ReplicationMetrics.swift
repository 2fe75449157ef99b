import Replication

/// `/metrics` families of a replicated node: one sample per stream it leads or follows.
enum ReplicationMetrics {
    /// - Parameter logNextOffset: the local log's next offset, for a leader's lag.
    static func write(_ statuses: [ReplicationStatus.Snapshot], logNextOffset: UInt64, to out: inout PrometheusExposition) {
        guard !statuses.isEmpty else { return }
        func samples(_ value: (ReplicationStatus.Snapshot) -> Double) -> [PrometheusExposition.Sample] {
            statuses.map { .init(labels: [("role", $0.role.rawValue), ("stream", $0.stream)], value: value($0)) }
        }
        out.gauge("tacho_replication_connected", help: "1 while the last NATS call succeeded.", samples { $0.connected ? 1 : 0 })
        out.gauge(
            "tacho_replication_stream_end_offset",
            help: "Leader: the offset after the last event JetStream acknowledged. Follower: after the last event applied from the stream.",
            samples { Double($0.streamEndOffset) })
        let leaders = statuses.filter { $0.role == .leader }
        if !leaders.isEmpty {
            out.gauge(
                "tacho_replication_lag_events", help: "Events in the local log that JetStream has not acknowledged yet.",
                leaders.map { .init(
                    labels: [("role", $0.role.rawValue), ("stream", $0.stream)],
                    value: Double(logNextOffset > $0.streamEndOffset ? logNextOffset - $0.streamEndOffset : 0)) })
        }
        out.gauge("tacho_replication_last_sequence", help: "The stream sequence of the last message published or applied.",
                  samples { Double($0.lastSequence) })
        out.counter("tacho_replication_messages_total", help: "Messages published (leader) or applied (follower).", samples { Double($0.messages) })
        out.counter("tacho_replication_errors_total", help: "NATS calls that failed, retried after a delay.", samples { Double($0.errors) })
    }
}
