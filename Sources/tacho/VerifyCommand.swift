import ArgumentParser
import EventStore

/// Checks every batch's checksum and decodes it; lists each damaged batch.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum in the log; exit 1 if any batch is damaged.")

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let log = try LogAccess.open(dataOptions.data)
        let damage: [CorruptionError]
        do { damage = try log.verify() } catch {
            try? await log.close()
            throw CommandFailure("verify failed: \(error)")
        }
        let segments = log.segments()
        try? await log.close()
        let events = segments.reduce(UInt64(0)) { $0 + $1.eventCount }
        let batches = segments.reduce(UInt64(0)) { $0 + $1.batchCount }
        if let torn = log.recovery.truncated {
            print("on open: truncated a damaged last batch (\(log.recovery.droppedBytes) bytes): \(torn)")
        }
        if damage.isEmpty {
            print("ok: \(segments.count) segments, \(batches) batches, \(events) events, every checksum intact")
            return
        }
        for error in damage { print("damaged: \(error)") }
        print("\(damage.count) damaged batch(es) in \(segments.count) segments")
        throw ExitCode(1)
    }
}
