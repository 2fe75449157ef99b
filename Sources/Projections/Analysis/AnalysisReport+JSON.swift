import Foundation

extension AnalysisReport {
    /// Pretty JSON with sorted keys and a final newline: `analyze --format json` and the
    /// fixtures' golden files, byte for byte.
    public func jsonText() throws -> String {
        try Self.stableJSON(self)
    }

    public static func stableJSON(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
