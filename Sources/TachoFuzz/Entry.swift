#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// Two entry points from one target (see tools/fuzz):
// - built by tools/fuzz (AddressSanitizer, libFuzzer coverage, -DTACHO_FUZZ, linked with
//   libFuzzer's no-main archive), libFuzzer drives `LLVMFuzzerTestOneInput` on the target
//   named by TACHO_FUZZ_TARGET. SwiftPM links an executable with
//   `--defsym main=TachoFuzz_main`, so that symbol is defined here and hands over to
//   libFuzzer's `LLVMFuzzerRunDriver`.
// - built normally, `TachoFuzz TARGET FILE...` runs files through a target (reproducing a
//   finding without the sanitizer build), `TachoFuzz seeds TARGET DIR` writes the seeds
//   derived from the fixtures, `TachoFuzz list` names the targets.

enum FuzzCommand {
    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(2)
    }

    static func target(_ name: String?) -> FuzzTarget {
        guard let name, let target = FuzzTarget(rawValue: name) else {
            fail("unknown fuzz target '\(name ?? "")'; one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: " "))")
        }
        return target
    }

    static func list() {
        for target in FuzzTarget.allCases { print(target.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0) + target.summary) }
    }

    /// Writes the fixture-derived seeds of `target` into `directory`, one file each.
    static func writeSeeds(_ target: FuzzTarget, _ directory: String) {
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let seeds = FuzzSeeds.seeds(target)
        for (index, seed) in seeds.enumerated() {
            let path = directory + "/fixture-\(index)"
            guard FileManager.default.createFile(atPath: path, contents: Data(seed)) else { fail("cannot write \(path)") }
        }
        print("\(seeds.count) seeds from the fixtures for \(target.rawValue) in \(directory)")
    }

    static func replay(_ target: FuzzTarget, _ paths: [String]) {
        for path in paths {
            guard let data = FileManager.default.contents(atPath: path) else { fail("cannot read \(path)") }
            data.withUnsafeBytes { target.run($0) }
            print("\(path): no finding")
        }
    }
}

#if TACHO_FUZZ
nonisolated(unsafe) private var selected = FuzzTarget.json

@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

@_cdecl("TachoFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    let name = ProcessInfo.processInfo.environment["TACHO_FUZZ_TARGET"]
    if name == "list" {
        FuzzCommand.list()
        return 0
    }
    selected = FuzzCommand.target(name)
    if let directory = ProcessInfo.processInfo.environment["TACHO_FUZZ_SEEDS"] {
        FuzzCommand.writeSeeds(selected, directory)
        return 0
    }
    var argc = argc
    var argv = argv
    return runDriver(&argc, &argv, fuzzOneInput)
}
#else
@main
struct TachoFuzzMain {
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "list":
            FuzzCommand.list()
        case "seeds" where arguments.count == 3:
            FuzzCommand.writeSeeds(FuzzCommand.target(arguments[1]), arguments[2])
        case let name? where arguments.count >= 2:
            FuzzCommand.replay(FuzzCommand.target(name), Array(arguments.dropFirst()))
        default:
            FuzzCommand.fail("usage: TachoFuzz list | TachoFuzz seeds TARGET DIR | TachoFuzz TARGET FILE... (the libFuzzer build: tools/fuzz)")
        }
    }
}
#endif
