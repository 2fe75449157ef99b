import Foundation

/// An error of parsing or evaluating a query, with Prometheus's `errorType`.
public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Prometheus's `errorType` names; new kinds may be added.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public static let badData = Kind(name: "bad_data")
        public static let execution = Kind(name: "execution")
        public static let timeout = Kind(name: "timeout")
        public static let canceled = Kind(name: "canceled")
        public var description: String { name }
    }

    public let kind: Kind
    public let message: String

    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    public static func badData(_ message: String) -> PromQLError { PromQLError(kind: .badData, message: message) }
    public static func execution(_ message: String) -> PromQLError { PromQLError(kind: .execution, message: message) }
    public static func unsupported(_ what: String) -> PromQLError {
        .badData("\(what) is not supported by Tacho's PromQL")
    }
    public static var tooManySamples: PromQLError {
        .execution("query processing would load too many samples into memory in query execution")
    }
    public static var timedOut: PromQLError {
        PromQLError(kind: .timeout, message: "query timed out in expression evaluation")
    }

    public var description: String { message }
}

/// One sample of a series: milliseconds since the epoch and a value.
public struct Sample: Sendable, Equatable {
    public var timestampMs: Int64
    public var value: Double

    public init(timestampMs: Int64, value: Double) {
        self.timestampMs = timestampMs
        self.value = value
    }

    public static func == (lhs: Sample, rhs: Sample) -> Bool {
        lhs.timestampMs == rhs.timestampMs && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// A series with its samples in time order.
public struct Series: Sendable, Equatable {
    public var labels: Labels
    public var samples: [Sample]
    /// When the series went stale (Prometheus's stale markers), sorted, none at the
    /// time of a sample: an instant selector finds nothing when one lies between its
    /// newest sample and its time. Range windows never hold them.
    public var staleMarksMs: [Int64]

    public init(labels: Labels, samples: [Sample], staleMarksMs: [Int64] = []) {
        self.labels = labels
        self.samples = samples
        self.staleMarksMs = staleMarksMs
    }
}

/// One element of an instant vector.
public struct VectorElement: Sendable, Equatable {
    public var labels: Labels
    public var value: Double

    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }

    public static func == (lhs: VectorElement, rhs: VectorElement) -> Bool {
        lhs.labels == rhs.labels && (lhs.value == rhs.value || (lhs.value.isNaN && rhs.value.isNaN))
    }
}

/// A query's answer, as the HTTP API's `resultType`s.
public enum QueryValue: Sendable, Equatable {
    case scalar(timestampMs: Int64, value: Double)
    case string(timestampMs: Int64, value: String)
    case vector(timestampMs: Int64, [VectorElement])
    case matrix([Series])

    public var resultType: String {
        switch self {
        case .scalar: "scalar"
        case .string: "string"
        case .vector: "vector"
        case .matrix: "matrix"
        }
    }
}
