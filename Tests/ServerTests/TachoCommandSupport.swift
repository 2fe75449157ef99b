import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `tacho` binary (.build/debug/tacho) to completion, with a deadline:
/// a command that outlives it is killed and reported, never waited on forever.
struct TachoCommand {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    struct Timeout: Error, CustomStringConvertible {
        let arguments: [String]
        var description: String { "tacho \(arguments.joined(separator: " ")) ran past its deadline and was killed" }
    }

    static func run(_ arguments: [String], stdin: String? = nil, timeoutSeconds: Double = 60) async throws -> Result {
        try await offPool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: ServeProcess.binaryPath)
            process.arguments = arguments
            // Files, not pipes: a pipe the test does not drain would stall a chatty child.
            let directory = NSTemporaryDirectory() + "tacho-cli-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let outPath = directory + "/out", errPath = directory + "/err", inPath = directory + "/in"
            _ = FileManager.default.createFile(atPath: outPath, contents: nil)
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            _ = FileManager.default.createFile(atPath: inPath, contents: Data((stdin ?? "").utf8))
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
            process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
            try process.run()
            let deadline = Date().addingTimeInterval(timeoutSeconds)
            while process.isRunning, Date() < deadline { usleep(2000) }
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                throw Timeout(arguments: arguments)
            }
            return Result(
                status: process.terminationStatus,
                stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        }
    }
}
