import ArgumentParser
import EventStore
import Foundation
import Logging
import Server

/// `tacho replay --serve`: the dashboard and the read API over a recorded data
/// directory, opened read-only, in replay mode, until SIGINT or SIGTERM.
struct ReplayServeOptions: ParsableArguments {
    @Flag(help: "Serve the dashboard and the API in replay mode instead of printing.")
    var serve = false

    @Option(name: .long, help: "With --serve: the address to bind.")
    var host: String = "127.0.0.1"

    @Option(name: .long, help: "With --serve: the port to bind; 0 picks a free one (the URL printed tells which).")
    var port: Int = 8080

    @Flag(help: "With --serve: start paused at --from instead of playing.")
    var paused = false

    func run(data: String, from: TimeArgument?, to: TimeArgument?, speed: ReplaySpeed) async throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port \(port) is not within 0...65535") }
        if let from, let to, to.nanos <= from.nanos {
            throw CommandFailure("--to (\(EventTime.formatRFC3339(to.nanos))) must be after --from (\(EventTime.formatRFC3339(from.nanos)))")
        }
        guard FileManager.default.fileExists(atPath: data) else { throw CommandFailure("no data directory at \(data) (use --data DIR)") }
        FreedMemory.limitArenasOfAServer()
        var logger = Logger(label: "tacho")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
        var options = ServerOptions()
        options.host = host
        options.port = port
        if let limit = OpenFileLimit.raiseToHard(), let warning = options.fitToOpenFileLimit(softLimit: limit.soft) {
            FileHandle.standardError.write(Data("tacho: warning: \(warning)\n".utf8))
        }
        let playback: PlaybackSpeed = switch speed {
        case .max: .max
        case .factor(let factor): .factor(factor)
        }
        let app: ReplayApp
        do {
            app = try await ReplayApp.open(
                dataDirectory: data, fromNs: from?.nanos, toNs: to?.nanos, speed: playback, playing: !paused, options: options,
                logger: logger)
        } catch {
            throw CommandFailure("cannot replay \(data): \(error)")
        }
        let status = app.engine.status()
        let host = self.host
        try await app.run { port in
            let shownHost = host.contains(":") ? "[\(host)]" : host
            // Written straight to the descriptor: tests read this line from a pipe at once.
            FileHandle.standardOutput.write(Data(
                "tacho: serving http://\(shownHost):\(port)/ (replay of \(data), \(status.first) to \(status.last), speed \(playback))\n".utf8))
        }
    }
}
