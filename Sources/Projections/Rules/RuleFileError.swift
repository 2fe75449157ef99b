/// Why a rule file or rule list was refused. Names the rule (by index and, when it
/// could be read, by id) and the field, as a path inside the rule.
public struct RuleFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The file is not JSON.
        case syntax
        /// The file's top level is not the expected shape or version.
        case layout
        /// A rule's field is missing, of the wrong type, out of range or unknown.
        case invalidField
        /// Two rules share an id.
        case duplicateID
    }

    public let code: Code
    /// 0-based position in the `rules` array, when a rule is to blame.
    public let ruleIndex: Int?
    public let ruleID: String?
    /// Path inside the rule (`condition.threshold`) or the file (`version`).
    public let field: String?
    public let reason: String

    public init(code: Code, ruleIndex: Int? = nil, ruleID: String? = nil, field: String? = nil, reason: String) {
        self.code = code
        self.ruleIndex = ruleIndex
        self.ruleID = ruleID
        self.field = field
        self.reason = reason
    }

    public var description: String {
        var parts: [String] = []
        if let ruleIndex {
            if let ruleID { parts.append("rule '\(ruleID)' (rules[\(ruleIndex)])") } else { parts.append("rules[\(ruleIndex)]") }
        }
        if let field { parts.append("field '\(field)'") }
        let location = parts.isEmpty ? "rule file" : parts.joined(separator: ", ")
        return "\(location): \(reason)"
    }
}
