import Replication

/// `/metrics` families of a replicated node.
enum ReplicationMetrics {
    static func write(_ status: ReplicationStatus.Snapshot, logNextOffset: UInt64, to out: inout PrometheusExposition) {
        let labels = [("role", status.role.rawValue), ("stream", status.stream)]
        out.gauge("tacho_replication_connected", help: "1 while the last NATS call succeeded.", [.init(labels: labels, value: status.connected ? 1 : 0)])
        out.gauge(
            "tacho_replication_stream_end_offset",
            help: "Leader: the offset after the last event JetStream acknowledged. Follower: after the last event applied from the stream.",
            [.init(labels: labels, value: Double(status.streamEndOffset))])
        if status.role == .leader {
            out.gauge(
                "tacho_replication_lag_events", help: "Events in the local log that JetStream has not acknowledged yet.",
                [.init(labels: labels, value: Double(logNextOffset > status.streamEndOffset ? logNextOffset - status.streamEndOffset : 0))])
        }
        out.gauge("tacho_replication_last_sequence", help: "The stream sequence of the last message published or applied.",
                  [.init(labels: labels, value: Double(status.lastSequence))])
        out.counter("tacho_replication_messages_total", help: "Messages published (leader) or applied (follower).",
                    [.init(labels: labels, value: Double(status.messages))])
        out.counter("tacho_replication_errors_total", help: "NATS calls that failed, retried after a delay.",
                    [.init(labels: labels, value: Double(status.errors))])
    }
}
