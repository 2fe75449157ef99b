import EventStore
import Logging
import Projections
import Runtime

/// Turns the replay's changes into the stream's messages, in the names and shapes of
/// the live stream (`StreamMessages`), each with the offset of the last event folded as
/// `id:`, followed by a `replay` message with the state.
///
/// Forward moves send the views the folded event types changed, the alerts that
/// changed, and a `metrics` summary once per event-time second the cursor enters; a
/// seek (the views may go back) sends one `reset` with every view.
actor ReplayPublisher {
    enum Change: Sendable {
        /// The cursor moved forward, folding events of these types.
        case advanced(Set<EventType>)
        /// The views were rebuilt at a new cursor.
        case moved(reason: String)
        /// Only the state changed (play, pause, speed).
        case state
    }

    static let eventName = "replay"

    private let broadcaster: SSEBroadcaster
    private let logger: Logger
    private var sentAlerts: [String: AlertsView.Alert]
    private var metricsSecond: Int64?

    init(broadcaster: SSEBroadcaster, initial: EngineSnapshot<ProjectionSet>, logger: Logger) {
        self.broadcaster = broadcaster
        self.logger = logger
        self.sentAlerts = Self.alertsByID(initial.views)
    }

    func publish(_ change: Change, snapshot: EngineSnapshot<ProjectionSet>, status: ReplayStatus) async {
        do {
            switch change {
            case .advanced(let types):
                if !types.isDisjoint(with: StreamMessages.alertTypes) {
                    let changed = snapshot.views.alerts.view(limit: StreamMessages.alertsTrackedMax).alerts.reversed()
                        .filter { sentAlerts[$0.id] != $0 }
                    sentAlerts = Self.alertsByID(snapshot.views)
                    for alert in changed { await broadcaster.broadcast(try StreamMessages.alert(alert, offset: snapshot.offset)) }
                }
                for name in StreamMessages.names(for: types) {
                    await broadcaster.broadcast(try StreamMessages.view(name, snapshot))
                }
                let second = Self.floorSecond(status.cursorNs)
                if second != metricsSecond {
                    metricsSecond = second
                    await broadcaster.broadcast(try StreamMessages.metrics(snapshot, nowNs: status.cursorNs))
                }
            case .moved(let reason):
                sentAlerts = Self.alertsByID(snapshot.views)
                metricsSecond = Self.floorSecond(status.cursorNs)
                await broadcaster.broadcast(try StreamMessages.reset(snapshot, reason: reason))
            case .state:
                break
            }
            await broadcaster.broadcast(try Self.stateMessage(status))
        } catch {
            logger.error("replay stream: a message could not be encoded", metadata: ["error": "\(error)"])
        }
    }

    /// The `replay` message; its id is the offset of the last event folded.
    static func stateMessage(_ status: ReplayStatus) throws -> SSEMessage {
        SSEMessage(event: eventName, id: status.offset, data: try JSONResponse.encodeString(status))
    }

    /// What a client gets first: the state, the `metrics` summary (its `time` tells a
    /// client the event time of what follows: the `reset` has none), then every view at
    /// the cursor. Their chunks carry no offset for the resume gate, since a seek may
    /// later send lower offsets.
    static func prelude(status: ReplayStatus, snapshot: EngineSnapshot<ProjectionSet>) throws -> [SSEChunk] {
        [
            try stateMessage(status), try StreamMessages.metrics(snapshot, nowNs: status.cursorNs),
            try StreamMessages.reset(snapshot, reason: "replay: the views at the cursor"),
        ].map { SSEChunk(bytes: SSEFraming.encode($0), offset: nil) }
    }

    private static func floorSecond(_ timeNs: Int64) -> Int64 {
        let (quotient, remainder) = timeNs.quotientAndRemainder(dividingBy: EventTime.nanosPerSecond)
        return remainder < 0 ? quotient - 1 : quotient
    }

    private static func alertsByID(_ views: ProjectionSet) -> [String: AlertsView.Alert] {
        var byID: [String: AlertsView.Alert] = [:]
        for alert in views.alerts.view(limit: StreamMessages.alertsTrackedMax).alerts { byID[alert.id] = alert }
        return byID
    }
}
