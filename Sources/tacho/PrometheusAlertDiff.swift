import EventStore
import PromQL
import Server

/// A Prometheus-rules back-test compared with the alerts `tacho serve --rules` recorded
/// in the same range: each firing and resolution of the back-test paired with a
/// recorded raise or resolve of the same alert id (`group/{labels}`) within one
/// evaluation interval of it; what is left over on either side is the diff.
struct PrometheusAlertDiff {
    struct Recorded: Equatable {
        enum State: String { case firing, resolved }
        var id: String
        var state: State
        var atMs: Int64
    }

    var matched: [(tested: AlertTransition, recorded: Recorded)] = []
    var onlyTested: [AlertTransition] = []
    var onlyRecorded: [Recorded] = []

    /// Collects the rule alerts of a range while it is scanned.
    struct Collector {
        private(set) var recorded: [Recorded] = []
        private var ruleAlertIDs = Set<String>()

        mutating func add(_ event: Event) {
            switch event.body {
            case .alert(let raised) where raised.kind == PrometheusRuleAlert.kind:
                ruleAlertIDs.insert(raised.id)
                recorded.append(Recorded(id: raised.id, state: .firing, atMs: event.timeNs / 1_000_000))
            case .alertResolve(let resolve) where ruleAlertIDs.contains(resolve.id):
                recorded.append(Recorded(id: resolve.id, state: .resolved, atMs: event.timeNs / 1_000_000))
            default:
                break
            }
        }
    }

    init(tested: [AlertTransition], recorded: [Recorded], intervalMs: [String: Int64]) {
        var unmatched = recorded
        for transition in tested where transition.state != .pending {
            let id = PrometheusRuleAlert.id(transition)
            let tolerance = intervalMs[transition.group] ?? 0
            let state: Recorded.State = transition.state == .firing ? .firing : .resolved
            if let index = unmatched.firstIndex(where: { $0.id == id && $0.state == state && abs($0.atMs - transition.atMs) <= tolerance }) {
                matched.append((transition, unmatched.remove(at: index)))
            } else {
                onlyTested.append(transition)
            }
        }
        onlyRecorded = unmatched
    }
}
