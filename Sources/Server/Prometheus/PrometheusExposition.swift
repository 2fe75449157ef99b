/// Builds a Prometheus text exposition, format version 0.0.4.
///
/// Each family is written whole — `# HELP`, `# TYPE`, then all its samples — because
/// the format requires a family's samples to be contiguous and declared once.
/// Names that are not legal are made legal (invalid characters become `_`); label
/// values and help text are escaped as the format says.
public struct PrometheusExposition: Sendable {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public struct Sample: Sendable {
        public var labels: [(String, String)]
        public var value: Double

        public init(labels: [(String, String)] = [], value: Double) {
            self.labels = labels
            self.value = value
        }
    }

    public struct SummarySample: Sendable {
        public var labels: [(String, String)]
        /// (quantile in 0...1, value) pairs.
        public var quantiles: [(Double, Double)]
        public var sum: Double
        public var count: UInt64

        public init(labels: [(String, String)] = [], quantiles: [(Double, Double)], sum: Double, count: UInt64) {
            self.labels = labels
            self.quantiles = quantiles
            self.sum = sum
            self.count = count
        }
    }

    public private(set) var text = ""
    private var familyNames: Set<String> = []

    public init() {}

    public mutating func gauge(_ name: String, help: String, _ samples: [Sample]) {
        let name = Self.metricName(name)
        header(name, help: help, type: "gauge")
        for sample in samples { line(name, sample.labels, sample.value) }
    }

    public mutating func gauge(_ name: String, help: String, value: Double) {
        gauge(name, help: help, [Sample(value: value)])
    }

    /// A counter; `_total` is appended to the name when missing, as the format's
    /// conventions (and `promtool check metrics`) expect.
    public mutating func counter(_ name: String, help: String, _ samples: [Sample]) {
        var name = Self.metricName(name)
        if !name.hasSuffix("_total") { name += "_total" }
        header(name, help: help, type: "counter")
        for sample in samples {
            precondition(sample.value >= 0 || sample.value.isNaN, "a counter is never negative")
            line(name, sample.labels, sample.value)
        }
    }

    public mutating func counter(_ name: String, help: String, value: Double) {
        counter(name, help: help, [Sample(value: value)])
    }

    public mutating func summary(_ name: String, help: String, _ samples: [SummarySample]) {
        let name = Self.metricName(name)
        header(name, help: help, type: "summary")
        for sample in samples {
            for (quantile, value) in sample.quantiles {
                precondition((0...1).contains(quantile), "a quantile is within 0...1")
                line(name, sample.labels + [("quantile", Self.format(quantile))], value)
            }
            line(name + "_sum", sample.labels, sample.sum)
            line(name + "_count", sample.labels, Double(sample.count))
        }
    }

    private mutating func header(_ name: String, help: String, type: String) {
        let inserted = familyNames.insert(name).inserted
        precondition(inserted, "metric family \(name) written twice")
        text += "# HELP \(name) \(Self.escapeHelp(help))\n"
        text += "# TYPE \(name) \(type)\n"
    }

    private mutating func line(_ name: String, _ labels: [(String, String)], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, (key, value)) in labels.enumerated() {
                if index > 0 { text += "," }
                text += Self.labelName(key)
                text += "=\""
                text += Self.escapeLabelValue(value)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += Self.format(value)
        text += "\n"
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    public static func metricName(_ raw: String) -> String {
        legalName(raw, allowColon: true)
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`; names starting `__` are reserved, so they get a prefix.
    public static func labelName(_ raw: String) -> String {
        let name = legalName(raw, allowColon: false)
        return name.hasPrefix("__") ? "l" + name : name
    }

    private static func legalName(_ raw: String, allowColon: Bool) -> String {
        var out = ""
        for (index, scalar) in raw.unicodeScalars.enumerated() {
            let isLetter = (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
            let isDigit = scalar >= "0" && scalar <= "9"
            let legal = isLetter || (allowColon && scalar == ":") || (index > 0 && isDigit)
            if legal {
                out.unicodeScalars.append(scalar)
            } else if index == 0 && isDigit {
                out += "_"
                out.unicodeScalars.append(scalar)
            } else {
                out += "_"
            }
        }
        return out.isEmpty ? "_" : out
    }

    /// Help text: backslash and line feed are escaped.
    public static func escapeHelp(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Label values: backslash, double quote and line feed are escaped.
    public static func escapeLabelValue(_ text: String) -> String {
        var out = ""
        for character in text.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Go's `ParseFloat` forms: `+Inf`, `-Inf`, `NaN`, integers without a fraction.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value == .infinity { return "+Inf" }
        if value == -.infinity { return "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
