// ICU's regular expressions (Debian's libicu-dev), called directly: Foundation's
// NSRegularExpression leaks a copy of every pattern over 256 UTF-16 units it compiles.
// ICU renames its entry points per version with macros (uregex_open → uregex_open_72),
// which Swift does not import: these wrappers keep the Swift side version-free.
#include <unicode/uregex.h>

static inline URegularExpression *tacho_uregex_open(const UChar *pattern, int32_t length, UParseError *parseError, UErrorCode *status) {
    return uregex_open(pattern, length, 0, parseError, status);
}
static inline void tacho_uregex_close(URegularExpression *regex) { uregex_close(regex); }
static inline int32_t tacho_uregex_groupCount(URegularExpression *regex, UErrorCode *status) { return uregex_groupCount(regex, status); }
static inline void tacho_uregex_setText(URegularExpression *regex, const UChar *text, int32_t length, UErrorCode *status) {
    uregex_setText(regex, text, length, status);
}
static inline int tacho_uregex_matches(URegularExpression *regex, UErrorCode *status) { return uregex_matches(regex, 0, status) ? 1 : 0; }
static inline int32_t tacho_uregex_start(URegularExpression *regex, int32_t group, UErrorCode *status) { return uregex_start(regex, group, status); }
static inline int32_t tacho_uregex_end(URegularExpression *regex, int32_t group, UErrorCode *status) { return uregex_end(regex, group, status); }
