import ServiceLifecycle

/// Runs a service whose loop ends with the `CancellationError` of an interrupted
/// sleep when shutdown cancels it. A service group treats any thrown error as a
/// failure and cancels every other service, which would cut the orderly shutdown
/// (streams ended, log flushed, checkpoint written) short; ending by cancellation
/// is this service's normal stop, so it is not passed on.
struct QuietOnCancel<Base: Service>: Service, CustomStringConvertible {
    let base: Base

    init(_ base: Base) {
        self.base = base
    }

    func run() async throws {
        do {
            try await base.run()
        } catch is CancellationError {
            return
        }
    }

    var description: String { "\(base)" }
}
