import EventStore

/// The rule file format (JSON only: the package has no YAML parser and takes no new
/// dependencies):
///
///     { "version": 1,
///       "rules": [
///         { "id": "latency-p99-high", "name": "High p99 latency", "severity": "warning",
///           "condition": { "figure": "latencyP99Ms", "operator": "above", "threshold": 150 },
///           "forSeconds": 30, "cooldownSeconds": 60, "resolveAfterSeconds": 0,
///           "message": "p99 {value} ms > {threshold} ms" } ] }
///
/// A condition names exactly one of `figure`, `metric` (with optional `labels`, an
/// object of strings) or `breaker` (`OPEN` or `HALF_OPEN`). Unknown fields are refused,
/// so a misspelt duration cannot silently default to zero.
extension RuleSet {
    public static let fileVersion: Int64 = 1

    public init(json text: String) throws(RuleFileError) {
        let root: JSONValue
        do {
            root = try JSONParser.parse(text)
        } catch {
            throw RuleFileError(code: .syntax, reason: error.description)
        }
        let items: [JSONValue]
        switch root {
        case .array(let array):
            items = array
        case .object(let members):
            for (key, _) in members where key != "version" && key != "rules" {
                throw RuleFileError(code: .layout, field: key, reason: "unknown field; a rule file has 'version' and 'rules'")
            }
            if let version = root["version"] {
                guard case .number(_, let integer?) = version, integer == Self.fileVersion else {
                    throw RuleFileError(code: .layout, field: "version", reason: "unsupported version; this build reads version \(Self.fileVersion)")
                }
            }
            guard case .array(let array)? = root["rules"] else {
                throw RuleFileError(code: .layout, field: "rules", reason: "required: an array of rule objects")
            }
            items = array
        default:
            throw RuleFileError(code: .layout, reason: "expected an object with 'rules' or an array of rules, found \(root.typeName)")
        }
        guard items.count <= RuleLimits.rulesCountMax else {
            throw RuleFileError(code: .layout, field: "rules", reason: "\(items.count) rules, more than the limit of \(RuleLimits.rulesCountMax)")
        }
        var rules: [AlertRule] = []
        for (index, item) in items.enumerated() {
            rules.append(try RuleReader(value: item, index: index).rule())
        }
        try self.init(rules)
    }

    /// The rules as a rule file, members in a fixed order, so the output is stable.
    public func jsonText() -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("version", Self.fileVersion)
        writer.key("rules")
        writer.beginArray()
        for rule in rules { RuleReader.write(rule, to: &writer) }
        writer.endArray()
        writer.endObject()
        return writer.string
    }
}

/// Reads one rule object, naming the rule and field in every error.
private struct RuleReader {
    let value: JSONValue
    let index: Int
    private var id: String? {
        if case .string(let text)? = value["id"], !text.isEmpty { return String(text.prefix(RuleLimits.idBytesMax)) }
        return nil
    }

    init(value: JSONValue, index: Int) {
        self.value = value
        self.index = index
    }

    private static let ruleFields = ["id", "name", "severity", "condition", "forSeconds", "cooldownSeconds", "resolveAfterSeconds", "message"]
    private static let conditionFields = ["figure", "metric", "labels", "breaker", "operator", "threshold"]

    func fail(_ field: String?, _ reason: String) -> RuleFileError {
        RuleFileError(code: .invalidField, ruleIndex: index, ruleID: id, field: field, reason: reason)
    }

    func rule() throws(RuleFileError) -> AlertRule {
        guard case .object(let members) = value else { throw fail(nil, "expected a rule object, found \(value.typeName)") }
        for (key, _) in members where !Self.ruleFields.contains(key) {
            throw fail(key, "unknown field (known: \(Self.ruleFields.joined(separator: ", ")))")
        }
        let id = try string(value, "id", path: "id")
        let name = try optionalString(value, "name", path: "name") ?? id
        let severityName = try string(value, "severity", path: "severity")
        guard let severity = AlertSeverity(rawValue: severityName) else {
            throw fail("severity", "unknown severity '\(severityName)' (known: critical, warning, info)")
        }
        guard let conditionValue = value["condition"] else { throw fail("condition", "required field is missing") }
        return AlertRule(
            id: id, name: name, severity: severity,
            condition: try condition(conditionValue),
            forSeconds: try seconds("forSeconds"),
            cooldownSeconds: try seconds("cooldownSeconds"),
            resolveAfterSeconds: try seconds("resolveAfterSeconds"),
            message: try optionalString(value, "message", path: "message")
        )
    }

    private func condition(_ object: JSONValue) throws(RuleFileError) -> RuleCondition {
        guard case .object(let members) = object else { throw fail("condition", "expected an object, found \(object.typeName)") }
        for (key, _) in members where !Self.conditionFields.contains(key) {
            throw fail("condition.\(key)", "unknown field (known: \(Self.conditionFields.joined(separator: ", ")))")
        }
        let kinds = ["figure", "metric", "breaker"].filter { object[$0] != nil }
        guard kinds.count == 1, let kind = kinds.first else {
            throw fail("condition", "must name exactly one of 'figure', 'metric' or 'breaker', found \(kinds.isEmpty ? "none" : kinds.joined(separator: " and "))")
        }
        if kind == "breaker" {
            for key in ["operator", "threshold", "labels"] where object[key] != nil {
                throw fail("condition.\(key)", "not allowed in a breaker condition")
            }
            let stateName = try string(object, "breaker", path: "condition.breaker")
            guard let state = BreakerState(rawValue: stateName) else {
                throw fail("condition.breaker", "unknown breaker state '\(stateName)' (known: OPEN, HALF_OPEN)")
            }
            return .breaker(entering: state)
        }
        let operatorName = try string(object, "operator", path: "condition.operator")
        guard let op = ComparisonOperator(rawValue: operatorName) else {
            throw fail("condition.operator", "unknown operator '\(operatorName)' (known: above, below)")
        }
        guard case .number(let threshold, _)? = object["threshold"] else {
            throw fail("condition.threshold", object["threshold"] == nil ? "required field is missing" : "expected a number")
        }
        let comparison = Comparison(op, threshold)
        if kind == "figure" {
            if object["labels"] != nil { throw fail("condition.labels", "labels select metric series; a figure has none") }
            let figureName = try string(object, "figure", path: "condition.figure")
            guard let figure = Figure(rawValue: figureName) else {
                throw fail("condition.figure", "unknown figure '\(figureName)' (known: \(Figure.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return .figure(name: figure, comparison: comparison)
        }
        let metric = try string(object, "metric", path: "condition.metric")
        return .metric(selector: MetricSelector(name: metric, labels: try labels(object["labels"])), comparison: comparison)
    }

    private func labels(_ value: JSONValue?) throws(RuleFileError) -> Labels {
        guard let value else { return .empty }
        guard case .object(let members) = value else { throw fail("condition.labels", "expected an object of strings") }
        var pairs: [String: String] = [:]
        for (key, member) in members {
            guard case .string(let text) = member else { throw fail("condition.labels.\(key)", "expected a string") }
            guard !key.isEmpty, key.utf8.count <= EventLimits.nameBytesMax, text.utf8.count <= EventLimits.nameBytesMax else {
                throw fail("condition.labels.\(key)", "label keys and values are 1 to \(EventLimits.nameBytesMax) bytes")
            }
            pairs[key] = text
        }
        return Labels(pairs)
    }

    private func seconds(_ field: String) throws(RuleFileError) -> Int64 {
        guard let member = value[field] else { return 0 }
        guard case .number(_, let integer?) = member else { throw fail(field, "expected a whole number of seconds") }
        return integer
    }

    private func string(_ object: JSONValue, _ key: String, path: String) throws(RuleFileError) -> String {
        guard let member = object[key] else { throw fail(path, "required field is missing") }
        guard case .string(let text) = member else { throw fail(path, "expected a string, found \(member.typeName)") }
        return text
    }

    private func optionalString(_ object: JSONValue, _ key: String, path: String) throws(RuleFileError) -> String? {
        guard let member = object[key] else { return nil }
        guard case .string(let text) = member else { throw fail(path, "expected a string, found \(member.typeName)") }
        return text
    }

    static func write(_ rule: AlertRule, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("id", rule.id)
        writer.member("name", rule.name)
        writer.member("severity", rule.severity.rawValue)
        writer.key("condition")
        writer.beginObject()
        switch rule.condition {
        case .figure(let figure, let comparison):
            writer.member("figure", figure.rawValue)
            writer.member("operator", comparison.op.rawValue)
            writer.member("threshold", comparison.threshold)
        case .metric(let selector, let comparison):
            writer.member("metric", selector.name)
            if !selector.labels.isEmpty {
                writer.key("labels")
                writer.beginObject()
                for pair in selector.labels.pairs { writer.member(pair.key, pair.value) }
                writer.endObject()
            }
            writer.member("operator", comparison.op.rawValue)
            writer.member("threshold", comparison.threshold)
        case .breaker(let state):
            writer.member("breaker", state.rawValue)
        }
        writer.endObject()
        writer.member("forSeconds", rule.forSeconds)
        writer.member("cooldownSeconds", rule.cooldownSeconds)
        writer.member("resolveAfterSeconds", rule.resolveAfterSeconds)
        if let message = rule.message { writer.member("message", message) }
        writer.endObject()
    }
}
