import Dispatch

/// A serial executor on a dispatch queue of its own, for actors whose work blocks on
/// the disk (the log's writer with its writes and fsyncs, compaction and retention,
/// the projection host's checkpoint saves): their jobs run on the queue's thread, never
/// on Swift's cooperative pool, so a slow disk stalls only them, not every task.
public final class IOExecutor: SerialExecutor, @unchecked Sendable {
    private let queue: DispatchQueue

    public init(label: String) {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }
}
