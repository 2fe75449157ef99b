// Kept out of every module that imports Foundation: Foundation brings its own copy
// of ICU's C declarations (_FoundationICU), which clash with the system's in one module.
internal import CICU
import Synchronization

/// A compiled ICU regular expression, called through ICU's C API (Debian's libicu).
/// Foundation's `NSRegularExpression` wraps the same engine, but swift-corelibs-
/// foundation leaks a copy of every pattern over 256 UTF-16 units it compiles (found by
/// the `promql` fuzz target); here the pattern is handed to `uregex_open` and freed by
/// `uregex_close`, nothing else allocated.
///
/// A `URegularExpression` holds the text it matches, so it is not thread-safe: each
/// match takes the lock (matching a label value is short; queries run on their own
/// threads, off the cooperative pool).
public final class ICURegex: @unchecked Sendable {
    // Only touched under `lock` (and in init and deinit, which nothing else overlaps).
    private let handle: OpaquePointer
    private let lock = Mutex(())
    /// Capture groups, the whole match not counted.
    public let groupCount: Int

    /// Throws ICU's reason when ICU refuses the pattern.
    public init(pattern: String) throws(ICURegexError) {
        let units = Array(pattern.utf16)
        var status = U_ZERO_ERROR
        var parseError = UParseError()
        let opened = units.withUnsafeBufferPointer { buffer in
            tacho_uregex_open(buffer.baseAddress, Int32(buffer.count), &parseError, &status)
        }
        guard status.rawValue <= U_ZERO_ERROR.rawValue, let opened else {
            if let opened { tacho_uregex_close(opened) }
            throw ICURegexError(code: status.rawValue, offset: Int(parseError.offset))
        }
        handle = opened
        var countStatus = U_ZERO_ERROR
        groupCount = max(0, Int(tacho_uregex_groupCount(opened, &countStatus)))
    }

    deinit { tacho_uregex_close(handle) }

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
        return lock.withLock { _ in units.withUnsafeBufferPointer { buffer -> [Range<String.Index>?]? in
            var status = U_ZERO_ERROR
            tacho_uregex_setText(handle, buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!, Int32(buffer.count), &status)
            // The expression must not keep a pointer into this buffer past the call.
            defer {
                var reset = U_ZERO_ERROR
                var empty: UInt16 = 0
                tacho_uregex_setText(handle, &empty, 0, &reset)
            }
            guard status.rawValue <= U_ZERO_ERROR.rawValue, tacho_uregex_matches(handle, &status) != 0, status.rawValue <= U_ZERO_ERROR.rawValue else {
                return nil
            }
            guard wanted else { return [] }
            return (0...groupCount).map { group -> Range<String.Index>? in
                var startStatus = U_ZERO_ERROR, endStatus = U_ZERO_ERROR
                let start = tacho_uregex_start(handle, Int32(group), &startStatus)
                let end = tacho_uregex_end(handle, Int32(group), &endStatus)
                guard start >= 0, end >= start, startStatus.rawValue <= U_ZERO_ERROR.rawValue, endStatus.rawValue <= U_ZERO_ERROR.rawValue,
                      let lower = String.Index(utf16Offset: Int(start), in: text) as String.Index?,
                      let upper = String.Index(utf16Offset: Int(end), in: text) as String.Index?
                else { return nil }
                return lower..<upper
            }
        } }
    }
}

/// ICU refused a pattern: its error code and where.
public struct ICURegexError: Error, CustomStringConvertible {
    public let code: Int32
    public let offset: Int
    public var description: String { "ICU error \(code) at offset \(offset)" }
}
