import CICURegex
import Synchronization

/// A compiled ICU regular expression, called through ICU's C API (Debian's libicu,
/// through the `CICURegex` C target). Foundation's `NSRegularExpression` wraps the same
/// engine, but swift-corelibs-foundation leaks a copy of every pattern over 256 UTF-16
/// units it compiles (found by the `promql` fuzz target); here the pattern goes to
/// `uregex_open` and the expression is freed by `uregex_close` in `deinit`.
///
/// An ICU expression holds the text it matches, so it is not thread-safe: each match
/// takes the lock (matching a label value is short; queries run off the cooperative
/// pool) and drops the text before returning.
public final class ICURegex: @unchecked Sendable {
    // Only used under `lock`, and in init and deinit, which nothing else overlaps.
    private let handle: OpaquePointer
    private let lock = Mutex(())
    /// Capture groups, the whole match not counted.
    public let groupCount: Int

    /// ICU backtracks, so one match is bounded: past this many match-engine steps
    /// (ICU's unit, about a millisecond each) it gives up and `matches` throws.
    /// Go's RE2, which Prometheus uses, needs no such bound.
    public static let matchStepsMax: Int32 = 500

    public init(pattern: String) throws(ICURegexError) {
        let units = Array(pattern.utf16)
        var code: Int32 = 0
        var offset: Int32 = 0
        let opened = units.withUnsafeBufferPointer { buffer in
            tacho_icu_regex_open(buffer.baseAddress, Int32(buffer.count), Self.matchStepsMax, &code, &offset)
        }
        guard let opened else { throw ICURegexError(code: code, offset: Int(offset)) }
        handle = opened
        groupCount = max(0, Int(tacho_icu_regex_group_count(opened)))
    }

    deinit { tacho_icu_regex_close(handle) }

    /// Whether the whole `text` matches; throws when the match gave up at its step limit.
    public func matches(_ text: String) throws(ICURegexGaveUp) -> Bool {
        try match(text, groups: false) != nil
    }

    /// The ranges of the whole match (index 0) and of each group (nil when a group did
    /// not take part) for a match of the whole `text`; nil when it does not match.
    public func groups(_ text: String) throws(ICURegexGaveUp) -> [Range<String.Index>?]? {
        try match(text, groups: true)
    }

    private func match(_ text: String, groups wanted: Bool) throws(ICURegexGaveUp) -> [Range<String.Index>?]? {
        let units = Array(text.utf16)
        let result: Result<[Range<String.Index>?]?, ICURegexGaveUp> = lock.withLock { _ in
            units.withUnsafeBufferPointer { buffer -> Result<[Range<String.Index>?]?, ICURegexGaveUp> in
                defer { tacho_icu_regex_clear(handle) }
                let matched = tacho_icu_regex_matches(handle, buffer.baseAddress, Int32(buffer.count))
                guard matched >= 0 else { return .failure(ICURegexGaveUp(textLength: units.count)) }
                guard matched == 1 else { return .success(nil) }
                guard wanted else { return .success([]) }
                return .success((0...groupCount).map { group -> Range<String.Index>? in
                    let start = Int(tacho_icu_regex_start(handle, Int32(group)))
                    let end = Int(tacho_icu_regex_end(handle, Int32(group)))
                    guard start >= 0, end >= start, end <= units.count else { return nil }
                    return String.Index(utf16Offset: start, in: text)..<String.Index(utf16Offset: end, in: text)
                })
            }
        }
        return try result.get()
    }
}

/// A match that reached `ICURegex.matchStepsMax` (or failed inside ICU).
public struct ICURegexGaveUp: Error, CustomStringConvertible {
    public let textLength: Int
    public var description: String {
        "the regular expression gave up on a \(textLength)-character value after \(ICURegex.matchStepsMax) steps of backtracking"
    }
}

/// ICU refused a pattern: its error code and where.
public struct ICURegexError: Error, CustomStringConvertible {
    public let code: Int32
    public let offset: Int
    public var description: String { "ICU error \(code) at offset \(offset)" }
}
