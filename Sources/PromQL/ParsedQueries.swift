import Synchronization

/// Queries parsed before, by their text: a dashboard sends the same texts on every
/// refresh, and lexing, parsing and type-checking one was a tenth of a selective
/// query's own work (`rate(x{job="a",instance="b"}[5m])` over an hour). Parsing is a
/// function of the text alone, so an answer kept is the answer a new parse would give,
/// errors included. At most `capacity` texts of at most `textBytesMax` bytes each are
/// kept; a full cache starts again empty (a dashboard's texts come back at once).
public final class ParsedQueries: Sendable {
    public let capacity: Int
    /// Longer texts are parsed every time (a generated query is seldom repeated).
    public static let textBytesMax = 4096
    private let parsed = Mutex<[String: Result<Expr, PromQLError>]>([:])

    public init(capacity: Int) {
        precondition(capacity > 0, "a cache holds something")
        self.capacity = capacity
    }

    /// `Parser.parse(text)`, from the cache when the text was parsed before.
    public func parse(_ text: String) throws(PromQLError) -> Expr {
        guard text.utf8.count <= Self.textBytesMax else { return try Parser.parse(text) }
        if let known = parsed.withLock({ $0[text] }) { return try known.get() }
        let result: Result<Expr, PromQLError>
        do throws(PromQLError) { result = .success(try Parser.parse(text)) } catch { result = .failure(error) }
        parsed.withLock { parsed in
            if parsed.count >= capacity { parsed.removeAll(keepingCapacity: true) }
            parsed[text] = result
        }
        return try result.get()
    }

    /// Texts kept.
    public var count: Int { parsed.withLock { $0.count } }
}
