import Foundation

/// The benchmark tools' command lines (tacho-foldbench, tacho-loadgen), one parser for
/// both: `--name value` pairs after the mode word; unknown names are refused so a typo
/// does not silently run the default.
public struct Arguments {
    public let mode: String
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    public init(_ argv: [String], knownValues: Set<String>, knownFlags: Set<String>) throws(UsageError) {
        guard let mode = argv.first else { throw UsageError(message: "missing mode") }
        self.mode = mode
        var index = 1
        while index < argv.count {
            let name = argv[index]
            if knownFlags.contains(name) {
                flags.insert(name)
                index += 1
            } else if knownValues.contains(name), index + 1 < argv.count {
                values[name] = argv[index + 1]
                index += 2
            } else {
                throw UsageError(message: "unknown or incomplete option '\(name)'")
            }
        }
    }

    public func int(_ name: String, default value: Int) throws(UsageError) -> Int {
        guard let text = values[name] else { return value }
        guard let parsed = Int(text.replacingOccurrences(of: "_", with: "")), parsed > 0 else {
            throw UsageError(message: "\(name) needs a positive integer, got '\(text)'")
        }
        return parsed
    }

    public func string(_ name: String) -> String? { values[name] }
    public func flag(_ name: String) -> Bool { flags.contains(name) }
}

public struct UsageError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) {
        self.message = message
    }
}
