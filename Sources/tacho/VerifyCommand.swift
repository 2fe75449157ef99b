import ArgumentParser
import EventStore

/// Checks every batch's checksum and decodes it; lists each damaged batch. The data
/// directory is opened read-only: verifying never repairs, truncates or writes.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every checksum in the log; exit 1 if any batch is damaged.",
        discussion: """
            Read-only: nothing is repaired or cut, so it is safe on the directory of a running server. \
            An incomplete last batch (a crash mid-write) is reported but is not damage: the next \
            `tacho serve` cuts it.
            """)

    @OptionGroup var dataOptions: DataOptions

    func run() async throws {
        let log = try LogAccess.openReadOnly(dataOptions.data)
        let result: (damage: [CorruptionError], incompleteTail: CorruptionError?)
        do { result = try log.verify() } catch {
            throw CommandFailure("verify failed: \(error)")
        }
        let segments = log.segments()
        let events = segments.reduce(UInt64(0)) { $0 + $1.eventCount }
        let batches = segments.reduce(UInt64(0)) { $0 + $1.batchCount }
        if let tail = result.incompleteTail {
            print("incomplete last batch (left by a crash mid-write; the next read-write open cuts it): \(tail)")
        }
        if result.damage.isEmpty {
            print("ok: \(segments.count) segments, \(batches) batches, \(events) events, every checksum intact")
            return
        }
        for error in result.damage { print("damaged: \(error)") }
        print("\(result.damage.count) damaged batch(es) in \(segments.count) segments")
        throw ExitCode(1)
    }
}
