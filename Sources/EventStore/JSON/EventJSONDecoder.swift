import Foundation

/// Turns the public JSON form of events into `Event`s, checking every field.
///
/// Input is either one JSON array of event objects or NDJSON (one object per line).
/// The whole input is decoded before anything is returned, so a caller appends
/// all of it or none of it.
public struct EventJSONDecoder: Sendable {
    /// Events in one input.
    public static let eventsPerInputMax = 1_000_000

    /// Whether plain `metric` and `op` lines skip the JSON tree (`EventLineFastPath`).
    public let usesFastPath: Bool

    public init() {
        usesFastPath = true
    }

    /// `usesFastPath: false` decodes every line through the JSON tree: the reference
    /// the fast path is compared with (tests, the `json` fuzz target).
    public init(usesFastPath: Bool) {
        self.usesFastPath = usesFastPath
    }

    /// Decodes `bytes`; events without `ts` get `defaultTimeNs`. An event whose time
    /// is outside `accepted` refuses the input, naming its line or index and `ts`.
    public func decode(
        _ bytes: UnsafeRawBufferPointer, defaultTimeNs: Int64, accepted: EventTimeBounds.Accepted = .unbounded
    ) throws(EventInputError) -> [Event] {
        var start = 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        guard start < bytes.count else { throw EventInputError(location: .input, field: nil, reason: "no events in the input") }
        if bytes[start] == UInt8(ascii: "[") {
            return try decodeArray(bytes, defaultTimeNs: defaultTimeNs, accepted: accepted)
        }
        return try decodeLines(bytes, defaultTimeNs: defaultTimeNs, accepted: accepted)
    }

    public func decode(
        _ text: String, defaultTimeNs: Int64, accepted: EventTimeBounds.Accepted = .unbounded
    ) throws(EventInputError) -> [Event] {
        var copy = text
        let result: Result<[Event], EventInputError> = copy.withUTF8 { buffer in
            do throws(EventInputError) {
                return .success(try decode(UnsafeRawBufferPointer(buffer), defaultTimeNs: defaultTimeNs, accepted: accepted))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The event read at `location`, refused when its time is outside `accepted`.
    private func checked(_ event: Event, at location: EventInputError.Location, accepted: EventTimeBounds.Accepted) throws(EventInputError) -> Event {
        if let problem = accepted.problem(event.timeNs) {
            throw EventInputError(location: location, field: "ts", reason: problem)
        }
        return event
    }

    private func decodeArray(
        _ bytes: UnsafeRawBufferPointer, defaultTimeNs: Int64, accepted: EventTimeBounds.Accepted
    ) throws(EventInputError) -> [Event] {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw EventInputError(location: .input, field: nil, reason: error.description)
        }
        guard case .array(let elements) = root else {
            throw EventInputError(location: .input, field: nil, reason: "expected a JSON array of events")
        }
        guard !elements.isEmpty else { throw EventInputError(location: .input, field: nil, reason: "no events in the input") }
        guard elements.count <= Self.eventsPerInputMax else {
            throw EventInputError(location: .input, field: nil, reason: "more than \(Self.eventsPerInputMax) events in one input")
        }
        var events: [Event] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let event = try EventFieldReader.event(from: element, defaultTimeNs: defaultTimeNs, location: .index(index))
            events.append(try checked(event, at: .index(index), accepted: accepted))
        }
        return events
    }

    private func decodeLines(
        _ bytes: UnsafeRawBufferPointer, defaultTimeNs: Int64, accepted: EventTimeBounds.Accepted
    ) throws(EventInputError) -> [Event] {
        var events: [Event] = []
        var fast = EventLineFastPath()
        var lineNumber = 0
        var lineStart = 0
        while lineStart < bytes.count {
            lineNumber += 1
            let lineEnd = memchr(bytes.baseAddress! + lineStart, 0x0A, bytes.count - lineStart).map { $0 - UnsafeMutableRawPointer(mutating: bytes.baseAddress!) } ?? bytes.count
            let next = lineEnd + 1
            var trimmedEnd = lineEnd
            while trimmedEnd > lineStart, bytes[trimmedEnd - 1] == 0x20 || bytes[trimmedEnd - 1] == 0x09 || bytes[trimmedEnd - 1] == 0x0D { trimmedEnd -= 1 }
            var trimmedStart = lineStart
            while trimmedStart < trimmedEnd, bytes[trimmedStart] == 0x20 || bytes[trimmedStart] == 0x09 { trimmedStart += 1 }
            if trimmedStart < trimmedEnd, usesFastPath,
               let event = fast.event(bytes, start: trimmedStart, end: trimmedEnd, defaultTimeNs: defaultTimeNs) {
                events.append(try checked(event, at: .line(lineNumber), accepted: accepted))
                guard events.count <= Self.eventsPerInputMax else {
                    throw EventInputError(location: .input, field: nil, reason: "more than \(Self.eventsPerInputMax) events in one input")
                }
            } else if trimmedStart < trimmedEnd {
                let value: JSONValue
                do {
                    value = try JSONParser.parse(bytes, start: trimmedStart, end: trimmedEnd)
                } catch {
                    throw EventInputError(
                        location: .line(lineNumber), field: nil,
                        reason: "invalid JSON at column \(error.position - lineStart + 1): \(error.reason)")
                }
                let event = try EventFieldReader.event(from: value, defaultTimeNs: defaultTimeNs, location: .line(lineNumber))
                events.append(try checked(event, at: .line(lineNumber), accepted: accepted))
                guard events.count <= Self.eventsPerInputMax else {
                    throw EventInputError(location: .input, field: nil, reason: "more than \(Self.eventsPerInputMax) events in one input")
                }
            }
            lineStart = next
        }
        guard !events.isEmpty else { throw EventInputError(location: .input, field: nil, reason: "no events in the input") }
        return events
    }
}
