import EventStore

/// Renders a rule's message. Numbers are printed with at most two decimals by integer
/// arithmetic, so the text never depends on the platform's float formatting.
public enum MessageTemplate {
    public static let placeholders = ["rule", "name", "subject", "value", "operator", "threshold", "forSeconds", "state"]

    public static func defaultTemplate(for condition: RuleCondition) -> String {
        switch condition {
        case .figure, .metric:
            "{name}: {subject} is {value}, {operator} {threshold} for {forSeconds} s"
        case .breaker:
            "{name}: breaker of connection {subject} entered {state} after {value} failures"
        }
    }

    /// The first `{…}` that is not a known placeholder, if any.
    static func unknownPlaceholder(in template: String) -> String? {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            let after = rest[rest.index(after: open)...]
            guard let close = after.firstIndex(of: "}") else { return nil }
            let name = String(after[..<close])
            if !placeholders.contains(name) { return name }
            rest = after[after.index(after: close)...]
        }
        return nil
    }

    static func render(_ rule: AlertRule, subject: String, value: Double?) -> String {
        var text = rule.message ?? defaultTemplate(for: rule.condition)
        let comparison = rule.condition.comparison
        let state: String
        if case .breaker(let entering) = rule.condition { state = entering.rawValue } else { state = "" }
        let substitutions: [(String, String)] = [
            ("rule", rule.id),
            ("name", rule.name),
            ("subject", subject),
            ("value", value.map(format) ?? "no data"),
            ("operator", comparison?.op.rawValue ?? ""),
            ("threshold", comparison.map { format($0.threshold) } ?? ""),
            ("forSeconds", String(rule.forSeconds)),
            ("state", state),
        ]
        for (name, replacement) in substitutions {
            text = text.replacingAll("{\(name)}", with: replacement)
        }
        return truncated(text, bytesMax: EventLimits.textBytesMax)
    }

    /// `182.4`, `150`, `-0.05`; two decimals at most, trailing zeros dropped.
    public static func format(_ value: Double) -> String {
        guard value.isFinite, abs(value) < 1e15 else { return "\(value)" }
        let hundredths = Int64((abs(value) * 100).rounded())
        let sign = value < 0 && hundredths != 0 ? "-" : ""
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    /// `text` cut to at most `bytesMax` UTF-8 bytes, at a character's boundary.
    public static func truncated(_ text: String, bytesMax: Int) -> String {
        guard text.utf8.count > bytesMax else { return text }
        var result = ""
        var bytes = 0
        for character in text {
            let size = character.utf8.count
            if bytes + size > bytesMax { break }
            result.append(character)
            bytes += size
        }
        return result
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var result = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound]
            result += replacement
            rest = rest[range.upperBound...]
        }
        result += rest
        return result
    }
}
