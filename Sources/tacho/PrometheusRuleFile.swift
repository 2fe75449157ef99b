import Foundation
import PromQL
import Yams

/// A Prometheus rule file (`groups:` of alerting rules) read into rule groups.
/// Refused whole, naming the group and rule, when anything is malformed or
/// unsupported (recording rules, templates beyond `$labels.x` and `$value`).
enum PrometheusRuleFile {
    /// Prometheus's default `evaluation_interval`.
    static let defaultIntervalMs: Int64 = 60_000

    /// True when `text` looks like Prometheus's YAML rather than Tacho's JSON rules.
    static func isYAML(path: String, text: String) -> Bool {
        if path.hasSuffix(".yml") || path.hasSuffix(".yaml") { return true }
        let first = text.split(separator: "\n").first { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
        return first?.hasPrefix("groups:") ?? false
    }

    /// `file` is the path the groups are said to come from (Prometheus's rules API shows it).
    static func parse(_ text: String, file: String = "") throws -> [AlertingRuleGroup] {
        let document: Any?
        do { document = try Yams.load(yaml: text) } catch {
            throw CommandFailure("not valid YAML: \(error)")
        }
        guard let root = document as? [String: Any], let groups = root["groups"] as? [Any] else {
            throw CommandFailure("a Prometheus rule file needs a top-level 'groups:' list")
        }
        var names = Set<String>()
        return try groups.enumerated().map { index, raw in
            guard let group = raw as? [String: Any], let name = group["name"] as? String, !name.isEmpty else {
                throw CommandFailure("groups[\(index)]: needs a 'name'")
            }
            guard names.insert(name).inserted else { throw CommandFailure("group \(name): the name is used twice") }
            let intervalMs = try duration(group["interval"], "group \(name): interval") ?? defaultIntervalMs
            guard intervalMs > 0 else { throw CommandFailure("group \(name): interval must be positive") }
            let rules = try (group["rules"] as? [Any] ?? []).enumerated().map { ruleIndex, rawRule in
                try rule(rawRule, where: "group \(name), rules[\(ruleIndex)]")
            }
            return AlertingRuleGroup(name: name, intervalMs: intervalMs, rules: rules, file: file)
        }
    }

    private static func rule(_ raw: Any, where place: String) throws -> AlertingRule {
        guard let rule = raw as? [String: Any] else { throw CommandFailure("\(place): not a mapping") }
        if rule["record"] != nil {
            throw CommandFailure("\(place): recording rules are not supported by the back-test; only alerting rules")
        }
        guard let name = rule["alert"] as? String, !name.isEmpty else { throw CommandFailure("\(place): needs 'alert' (the alert's name)") }
        let exprText: String
        if let text = rule["expr"] as? String { exprText = text } else if let number = rule["expr"] as? Int { exprText = String(number) } else {
            throw CommandFailure("\(place) (\(name)): needs 'expr'")
        }
        let expr: Expr
        do { expr = try Parser.parse(exprText) } catch { throw CommandFailure("\(place) (\(name)): expr: \(error.message)") }
        let labels = try strings(rule["labels"], "\(place) (\(name)): labels")
        let annotations = try strings(rule["annotations"], "\(place) (\(name)): annotations")
        do {
            return try AlertingRule(
                name: name, expr: expr, forMs: try duration(rule["for"], "\(place) (\(name)): for") ?? 0,
                keepFiringForMs: try duration(rule["keep_firing_for"], "\(place) (\(name)): keep_firing_for") ?? 0,
                labels: labels, annotations: annotations)
        } catch let error as PromQLError {
            throw CommandFailure("\(place) (\(name)): \(error.message)")
        }
    }

    private static func duration(_ raw: Any?, _ place: String) throws -> Int64? {
        guard let raw else { return nil }
        guard let text = raw as? String, let ms = Parser.duration(text) else {
            throw CommandFailure("\(place): '\(raw)' is not a duration such as 30s, 5m or 1h")
        }
        return ms
    }

    private static func strings(_ raw: Any?, _ place: String) throws -> [String: String] {
        guard let raw else { return [:] }
        guard let mapping = raw as? [String: Any] else { throw CommandFailure("\(place): not a mapping") }
        var out: [String: String] = [:]
        for (key, value) in mapping {
            switch value {
            case let text as String: out[key] = text
            case let number as Int: out[key] = String(number)
            case let number as Double: out[key] = "\(number)"
            case let flag as Bool: out[key] = String(flag)
            default: throw CommandFailure("\(place).\(key): not a string")
            }
        }
        return out
    }
}
