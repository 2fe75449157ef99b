/// `--name value` pairs after the mode word; unknown names are refused so a typo
/// does not silently run the default.
struct Arguments {
    let mode: String
    private var values: [String: String] = [:]
    private var flags: Set<String> = []

    init(_ argv: [String], knownValues: Set<String>, knownFlags: Set<String>) throws(UsageError) {
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

    func int(_ name: String, default value: Int) throws(UsageError) -> Int {
        guard let text = values[name] else { return value }
        guard let parsed = Int(text.replacingOccurrences(of: "_", with: "")), parsed > 0 else {
            throw UsageError(message: "\(name) needs a positive integer, got '\(text)'")
        }
        return parsed
    }

    func string(_ name: String) -> String? { values[name] }
    func flag(_ name: String) -> Bool { flags.contains(name) }
}

struct UsageError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
