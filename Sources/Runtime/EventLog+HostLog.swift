import EventStore
import Projections

/// The real log as the host's log. Damaged batches are skipped with a warning, as
/// the log's own live tails do, so one bad batch cannot keep the views from starting.
extension EventLog: HostLog {
    public func makeReader(fromOffset offset: UInt64) throws -> any HostLogReader {
        DamageSkippingReader(reader: reader(from: offset))
    }

    public func makeReader(fromOffset offset: UInt64, eventTimeAtMost timeNs: Int64) throws -> any HostLogReader {
        let bounded = reader(from: offset)
        bounded.eventTimeAtMost = timeNs
        return DamageSkippingReader(reader: bounded)
    }

    public func follow(fromOffset offset: UInt64) throws -> any HostLogTail {
        SubscriptionTail(iterator: subscribe(from: offset).makeAsyncIterator())
    }

    public func appendEmitted(_ events: [Event]) async throws {
        _ = try await append(events)
    }
}

final class DamageSkippingReader: HostLogReader {
    private let reader: LogReader

    init(reader: LogReader) {
        self.reader = reader
    }

    func next() throws -> LogBatch? {
        try reader.nextIntact()
    }
}

final class SubscriptionTail: HostLogTail {
    private var iterator: LogSubscription.Iterator

    init(iterator: LogSubscription.Iterator) {
        self.iterator = iterator
    }

    func next() async throws -> HostTailDelivery {
        do {
            guard let batch = try await iterator.next() else { return .end }
            return .batch(batch)
        } catch {
            switch error {
            case .lagged: return .lagged
            case .log(let logError): throw logError
            }
        }
    }
}
