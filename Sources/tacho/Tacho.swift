import ArgumentParser
import Logging
import Server

@main
struct Tacho: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tacho",
        abstract: "An event-sourced monitoring engine: an LZ4-compressed log, live views, replay.",
        subcommands: [DemoCommand.self, ImportCommand.self, ExportCommand.self, VerifyCommand.self, InspectCommand.self, ServeCommand.self, AnalyzeCommand.self, ReplayCommand.self, AlertsCommand.self, RestoreCommand.self]
    )

    static func main() async {
        LoggingSystem.bootstrap { LazyMetadataLogHandler(label: $0) }
        await main(nil)
    }
}
