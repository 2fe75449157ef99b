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

    public init(pattern: String) throws(ICURegexError) {
        let units = Array(pattern.utf16)
        var code: Int32 = 0
        var offset: Int32 = 0
        let opened = units.withUnsafeBufferPointer { buffer in
            tacho_icu_regex_open(buffer.baseAddress, Int32(buffer.count), &code, &offset)
        }
        guard let opened else { throw ICURegexError(code: code, offset: Int(offset)) }
        handle = opened
        groupCount = max(0, Int(tacho_icu_regex_group_count(opened)))
    }

    deinit { tacho_icu_regex_close(handle) }

    /// Whether the whole `text` matches.
    public func matches(_ text: String) -> Bool {
        match(text, groups: false) != nil
    }

    /// The ranges of the whole match (index 0) and of each group (nil when a group did
    /// not take part) for a match of the whole `text`; nil when it does not match.
    public func groups(_ text: String) -> [Range<String.Index>?]? {
        match(text, groups: true)
    }

    private func match(_ text: String, groups wanted: Bool) -> [Range<String.Index>?]? {
        let units = Array(text.utf16)
        return lock.withLock { _ in
            units.withUnsafeBufferPointer { buffer -> [Range<String.Index>?]? in
                defer { tacho_icu_regex_clear(handle) }
                guard tacho_icu_regex_matches(handle, buffer.baseAddress, Int32(buffer.count)) != 0 else { return nil }
                guard wanted else { return [] }
                return (0...groupCount).map { group -> Range<String.Index>? in
                    let start = Int(tacho_icu_regex_start(handle, Int32(group)))
                    let end = Int(tacho_icu_regex_end(handle, Int32(group)))
                    guard start >= 0, end >= start, end <= units.count else { return nil }
                    return String.Index(utf16Offset: start, in: text)..<String.Index(utf16Offset: end, in: text)
                }
            }
        }
    }
}

/// ICU refused a pattern: its error code and where.
public struct ICURegexError: Error, CustomStringConvertible {
    public let code: Int32
    public let offset: Int
    public var description: String { "ICU error \(code) at offset \(offset)" }
}
