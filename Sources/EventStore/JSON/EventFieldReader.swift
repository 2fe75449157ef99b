/// Reads and checks the fields of one JSON event object.
struct EventFieldReader {
    let object: JSONValue
    let location: EventInputError.Location
    let prefix: String

    static func event(from value: JSONValue, defaultTimeNs: Int64, location: EventInputError.Location) throws(EventInputError) -> Event {
        guard case .object = value else {
            throw EventInputError(location: location, field: nil, reason: "expected an event object, found \(value.typeName)")
        }
        let reader = EventFieldReader(object: value, location: location, prefix: "")
        let typeName = try reader.string("type", max: EventLimits.nameBytesMax)
        guard let type = EventType(name: typeName) else {
            let known = EventType.allCases.map(\.name).joined(separator: ", ")
            throw reader.fail("type", "unknown event type '\(typeName)' (known: \(known))")
        }
        let timeNs = try reader.time(default: defaultTimeNs)
        return Event(timeNs: timeNs, body: try reader.body(of: type))
    }

    func fail(_ field: String, _ reason: String) -> EventInputError {
        EventInputError(location: location, field: prefix + field, reason: reason)
    }

    func member(_ field: String) -> JSONValue? {
        guard let value = object[field] else { return nil }
        if case .null = value { return nil }
        return value
    }

    private func required(_ field: String) throws(EventInputError) -> JSONValue {
        guard let value = member(field) else { throw fail(field, "required field is missing") }
        return value
    }

    func time(default defaultTimeNs: Int64) throws(EventInputError) -> Int64 {
        guard let value = member("ts") else { return defaultTimeNs }
        switch value {
        case .number(_, let integer?):
            return integer
        case .string(let text):
            guard let nanos = EventTime.parse(text) else {
                throw fail("ts", "not an RFC 3339 time or integer nanoseconds: '\(text.prefix(64))'")
            }
            return nanos
        default:
            throw fail("ts", "expected integer nanoseconds since the epoch or an RFC 3339 string")
        }
    }

    func string(_ field: String, max: Int) throws(EventInputError) -> String {
        guard case .string(let text) = try required(field) else { throw fail(field, "expected a string") }
        return try checked(text, field: field, max: max)
    }

    func optionalString(_ field: String, max: Int) throws(EventInputError) -> String? {
        guard let value = member(field) else { return nil }
        guard case .string(let text) = value else { throw fail(field, "expected a string") }
        return try checked(text, field: field, max: max)
    }

    private func checked(_ text: String, field: String, max: Int) throws(EventInputError) -> String {
        guard text.utf8.count <= max else { throw fail(field, "longer than \(max) bytes") }
        return text
    }

    func nonEmptyString(_ field: String, max: Int) throws(EventInputError) -> String {
        let text = try string(field, max: max)
        guard !text.isEmpty else { throw fail(field, "must not be empty") }
        return text
    }

    func double(_ field: String, range: ClosedRange<Double>? = nil) throws(EventInputError) -> Double {
        guard case .number(let number, _) = try required(field) else { throw fail(field, "expected a number") }
        return try checked(number, field: field, range: range)
    }

    func optionalDouble(_ field: String, range: ClosedRange<Double>? = nil) throws(EventInputError) -> Double? {
        guard let value = member(field) else { return nil }
        guard case .number(let number, _) = value else { throw fail(field, "expected a number") }
        return try checked(number, field: field, range: range)
    }

    private func checked(_ number: Double, field: String, range: ClosedRange<Double>?) throws(EventInputError) -> Double {
        guard number.isFinite else { throw fail(field, "must be a finite number") }
        if let range, !range.contains(number) {
            throw fail(field, "\(number) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return number
    }

    func count(_ field: String) throws(EventInputError) -> UInt64 {
        let value = try required(field)
        return try count(value, field: field)
    }

    func optionalCount(_ field: String) throws(EventInputError) -> UInt64? {
        guard let value = member(field) else { return nil }
        return try count(value, field: field)
    }

    private func count(_ value: JSONValue, field: String) throws(EventInputError) -> UInt64 {
        guard case .number(let number, let integer) = value else { throw fail(field, "expected a non-negative integer") }
        guard number.isFinite else { throw fail(field, "must be a finite number") }
        if let integer {
            guard integer >= 0 else { throw fail(field, "must not be negative") }
            return UInt64(integer)
        }
        guard number >= 0, number == number.rounded(.towardZero), number < 1.8e19 else {
            throw fail(field, "expected a non-negative integer")
        }
        return UInt64(number)
    }

    func bool(_ field: String) throws(EventInputError) -> Bool {
        guard case .bool(let flag) = try required(field) else { throw fail(field, "expected true or false") }
        return flag
    }

    /// A metric's value: a finite number, or Prometheus's `"NaN"`, `"+Inf"` (`"Inf"`) or
    /// `"-Inf"`, which JSON numbers cannot hold.
    func metricValue() throws(EventInputError) -> Double {
        if case .string(let text)? = member("value") {
            switch text {
            case "NaN": return Double(bitPattern: MetricSample.nanBitPattern)
            case "+Inf", "Inf": return .infinity
            case "-Inf": return -.infinity
            default: throw fail("value", "expected a number, \"NaN\", \"+Inf\" or \"-Inf\", found \"\(text.prefix(40))\"")
            }
        }
        return try double("value")
    }

    func optionalBool(_ field: String) throws(EventInputError) -> Bool? {
        guard let value = member(field) else { return nil }
        guard case .bool(let flag) = value else { throw fail(field, "expected true or false") }
        return flag
    }

    func stringArray(_ field: String, countMax: Int, required isRequired: Bool) throws(EventInputError) -> [String] {
        guard let value = member(field) else {
            if isRequired { throw fail(field, "required field is missing") }
            return []
        }
        guard case .array(let elements) = value else { throw fail(field, "expected an array of strings") }
        guard elements.count <= countMax else { throw fail(field, "more than \(countMax) elements") }
        var result: [String] = []
        for (i, element) in elements.enumerated() {
            guard case .string(let text) = element else { throw fail("\(field)[\(i)]", "expected a string") }
            result.append(try checked(text, field: "\(field)[\(i)]", max: EventLimits.nameBytesMax))
        }
        return result
    }

    func nested(_ field: String, required isRequired: Bool) throws(EventInputError) -> EventFieldReader? {
        guard let value = member(field) else {
            if isRequired { throw fail(field, "required field is missing") }
            return nil
        }
        guard case .object = value else { throw fail(field, "expected an object") }
        return EventFieldReader(object: value, location: location, prefix: prefix + field + ".")
    }

    func labels() throws(EventInputError) -> Labels {
        guard let value = member("labels") else { return .empty }
        guard case .object(let members) = value else { throw fail("labels", "expected an object of strings") }
        guard members.count <= EventLimits.labelsCountMax else {
            throw fail("labels", "more than \(EventLimits.labelsCountMax) labels")
        }
        var dictionary: [String: String] = [:]
        for (key, member) in members {
            guard !key.isEmpty, key.utf8.count <= EventLimits.nameBytesMax else {
                throw fail("labels", "label names must be 1…\(EventLimits.nameBytesMax) bytes")
            }
            guard case .string(let text) = member else { throw fail("labels.\(key)", "expected a string") }
            dictionary[key] = try checked(text, field: "labels.\(key)", max: EventLimits.nameBytesMax)
        }
        return Labels(dictionary)
    }

    /// The `data` object of an alert, kept as canonical JSON (sorted keys).
    func canonicalData(_ field: String) throws(EventInputError) -> String? {
        guard let value = member(field) else { return nil }
        guard case .object = value else { throw fail(field, "expected an object") }
        var writer = JSONWriter()
        CanonicalJSON.write(value, to: &writer)
        guard writer.bytes.count <= EventLimits.dataBytesMax else {
            throw fail(field, "longer than \(EventLimits.dataBytesMax) bytes")
        }
        return writer.string
    }
}

enum CanonicalJSON {
    /// Objects with keys sorted (last duplicate wins), no whitespace. Iterative over an
    /// explicit stack would be stricter; the parser's depth limit bounds this recursion.
    static func write(_ value: JSONValue, to writer: inout JSONWriter) {
        switch value {
        case .null: writer.null()
        case .bool(let flag): writer.value(flag)
        case .number(let number, let integer):
            if let integer { writer.value(integer) } else { writer.value(number) }
        case .string(let text): writer.value(text)
        case .array(let elements):
            writer.beginArray()
            for element in elements { write(element, to: &writer) }
            writer.endArray()
        case .object(let members):
            var latest: [String: JSONValue] = [:]
            for (key, member) in members { latest[key] = member }
            writer.beginObject()
            for key in latest.keys.sorted() {
                writer.key(key)
                write(latest[key]!, to: &writer)
            }
            writer.endObject()
        }
    }
}
