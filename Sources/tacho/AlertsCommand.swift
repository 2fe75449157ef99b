import ArgumentParser

/// `tacho alerts ...`: the alert-rule tools.
struct AlertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alerts",
        abstract: "Alert-rule tools.",
        subcommands: [AlertsBacktestCommand.self])
}
