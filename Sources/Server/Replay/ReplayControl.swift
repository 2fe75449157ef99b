import EventStore

/// One request of `POST /api/v1/replay`: `{"action": "play"|"pause"|"step"|"seek",
/// "speed": 10 | "max", "at": RFC 3339 or integer nanoseconds}`.
public struct ReplayControl: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable, CaseIterable {
        /// Move the cursor at `speed` from where it is (from the start when it ended).
        case play
        case pause
        /// One event second forward, then paused.
        case step
        /// The cursor to `at` (clamped to the range); playing or paused as before.
        case seek
    }

    public var action: Action
    /// Sets the speed used while playing (any action may carry it).
    public var speed: PlaybackSpeed?
    /// Required by `seek`.
    public var atNs: Int64?

    public init(action: Action, speed: PlaybackSpeed? = nil, atNs: Int64? = nil) {
        self.action = action
        self.speed = speed
        self.atNs = atNs
    }

    /// Bodies larger than this are refused: a control request is a few dozen bytes.
    public static let bodyBytesMax = 4096

    /// Parses a request body; the error names the field at fault. Unknown fields are ignored.
    public static func parse(_ text: String) throws(ReplayControlError) -> ReplayControl {
        let value: JSONValue
        do { value = try JSONParser.parse(text) } catch {
            throw ReplayControlError(field: "body", detail: "is not JSON: \(error)")
        }
        guard case .object = value else {
            throw ReplayControlError(field: "body", detail: "must be a JSON object such as {\"action\":\"pause\"}, not \(value.typeName)")
        }
        let actions = Action.allCases.map(\.rawValue).joined(separator: ", ")
        guard let actionValue = value["action"] else { throw ReplayControlError(field: "action", detail: "is required: one of \(actions)") }
        guard case .string(let actionText) = actionValue, let action = Action(rawValue: actionText) else {
            throw ReplayControlError(field: "action", detail: "\(shown(actionValue)) is not one of \(actions)")
        }
        var control = ReplayControl(action: action)
        if let speedValue = value["speed"], speedValue != .null {
            control.speed = try speed(speedValue)
        }
        if let atValue = value["at"], atValue != .null {
            control.atNs = try time(atValue)
        }
        if action == .seek, control.atNs == nil {
            throw ReplayControlError(field: "at", detail: "is required by seek: an RFC 3339 time or integer nanoseconds")
        }
        return control
    }

    private static func speed(_ value: JSONValue) throws(ReplayControlError) -> PlaybackSpeed {
        let range = "\(PlaybackSpeed.factorRange.lowerBound)...\(Int(PlaybackSpeed.factorRange.upperBound))"
        switch value {
        case .number(let number, _) where PlaybackSpeed.factorRange.contains(number):
            return .factor(number)
        case .string(let text):
            if let speed = PlaybackSpeed(parsing: text) { return speed }
        default:
            break
        }
        throw ReplayControlError(field: "speed", detail: "\(shown(value)) is not \"max\" or a number of event seconds per wall second within \(range)")
    }

    private static func time(_ value: JSONValue) throws(ReplayControlError) -> Int64 {
        switch value {
        case .number(_, let integer?):
            return integer
        case .string(let text):
            if let nanos = EventTime.parse(text) { return nanos }
        default:
            break
        }
        throw ReplayControlError(field: "at", detail: "\(shown(value)) is neither RFC 3339 (2026-01-01T10:00:00Z) nor integer nanoseconds")
    }

    private static func shown(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "'\(text.count > 64 ? String(text.prefix(64)) + "…" : text)'"
        case .number(let number, let integer): integer.map(String.init) ?? "\(number)"
        case .bool(let flag): "\(flag)"
        default: "a JSON \(value.typeName)"
        }
    }
}

/// A control request that cannot be carried out as written; nothing was changed.
public struct ReplayControlError: Error, Sendable, Equatable, CustomStringConvertible {
    public let field: String
    public let detail: String

    public var description: String { "replay control: field '\(field)' \(detail)" }
}
