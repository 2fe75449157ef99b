import Synchronization

/// An offset that only grows, and tasks waiting for it to pass a value: the log's
/// high-water mark for tails and publishers, a replicated offset for acknowledgements.
public final class OffsetWatch: Sendable {
    private struct Waiter {
        let above: UInt64
        let continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var value: UInt64
        var closed = false
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
    }

    private let state: Mutex<State>

    public init(_ value: UInt64 = 0) {
        state = Mutex(State(value: value))
    }

    public var value: UInt64 { state.withLock { $0.value } }

    /// Raises the value (a lower one is ignored) and resumes the waiters it passed.
    public func advance(to value: UInt64) {
        let resumed: [Waiter] = state.withLock { state in
            guard value > state.value else { return [] }
            state.value = value
            return Self.takeReady(&state)
        }
        for waiter in resumed { waiter.continuation.resume() }
    }

    /// Resumes every waiter, now and later.
    public func close() {
        let resumed: [Waiter] = state.withLock { state in
            state.closed = true
            return Self.takeReady(&state)
        }
        for waiter in resumed { waiter.continuation.resume() }
    }

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Returns once the value is above `offset`, the watch closes, or the task is cancelled.
    public func wait(above offset: UInt64) async {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.closed || state.value > offset || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(above: offset, continuation: continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.continuation.resume()
        }
    }

    /// Like `wait(above:)`, for at most `timeout`; true when the value passed `offset`.
    public func wait(above offset: UInt64, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(above: offset) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return value > offset
    }

    private static func takeReady(_ state: inout State) -> [Waiter] {
        let ready = state.waiters.filter { state.closed || state.value > $0.value.above }
        for id in ready.keys { state.waiters[id] = nil }
        return Array(ready.values)
    }
}
