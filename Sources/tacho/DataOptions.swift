import ArgumentParser
import EventStore

/// `--data DIR`, shared by every command that opens a data directory.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: "The data directory.")
    var data: String = ".tacho"
}

/// An error the command line reports as one line and a non-zero exit.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
