import EventStore
import Logging
import Projections
import Runtime

/// Turns folded batches into the live stream's named messages and hands them to the
/// broadcaster, in offset order. One actor, so the periodic `metrics` summary never
/// carries an offset whose other messages have not been sent yet (a client resuming
/// from that offset would miss them).
actor StreamPublisher {
    private let broadcaster: SSEBroadcaster
    private let logger: Logger
    private let nowNs: @Sendable () -> Int64
    /// The snapshot the last messages were built from.
    private(set) var published: EngineSnapshot<ProjectionSet>
    /// The alerts as last sent, by id: an `alert` message goes out for each that changed.
    private var sentAlerts: [String: AlertsView.Alert]

    init(broadcaster: SSEBroadcaster, initial: EngineSnapshot<ProjectionSet>, logger: Logger, nowNs: @escaping @Sendable () -> Int64) {
        self.broadcaster = broadcaster
        self.logger = logger
        self.nowNs = nowNs
        self.published = initial
        self.sentAlerts = Self.alertsByID(initial.views)
    }

    var publishedOffset: UInt64? { published.offset }

    /// Sends the messages of the views that `types` may have changed, as of `snapshot`.
    func publish(_ snapshot: EngineSnapshot<ProjectionSet>, types: Set<EventType>) async {
        guard snapshot.nextOffset > published.nextOffset else { return }
        published = snapshot
        do {
            if !types.isDisjoint(with: StreamMessages.alertTypes) {
                let current = Self.alertsByID(snapshot.views)
                let changed = snapshot.views.alerts.view(limit: StreamMessages.alertsTrackedMax).alerts.reversed()
                    .filter { sentAlerts[$0.id] != $0 }
                sentAlerts = current
                for alert in changed { await broadcaster.broadcast(try StreamMessages.alert(alert, offset: snapshot.offset)) }
            }
            for name in StreamMessages.names(for: types) {
                await broadcaster.broadcast(try StreamMessages.view(name, snapshot))
            }
        } catch {
            logger.error("live stream: a view could not be encoded", metadata: ["error": "\(error)", "offset": "\(snapshot.nextOffset)"])
        }
    }

    /// The periodic summary of the snapshot last published.
    func tick() async {
        do {
            await broadcaster.broadcast(try StreamMessages.metrics(published, nowNs: nowNs()))
        } catch {
            logger.error("live stream: the metrics summary could not be encoded", metadata: ["error": "\(error)"])
        }
    }

    private static func alertsByID(_ views: ProjectionSet) -> [String: AlertsView.Alert] {
        var byID: [String: AlertsView.Alert] = [:]
        for alert in views.alerts.view(limit: StreamMessages.alertsTrackedMax).alerts { byID[alert.id] = alert }
        return byID
    }
}
