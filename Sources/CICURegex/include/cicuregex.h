// ICU's regular expressions behind a header without ICU's types: Foundation carries
// its own copy of ICU's C declarations (_FoundationICU), and a Swift module that saw
// both copies would not compile. Only this C target includes <unicode/uregex.h>.
#ifndef CICUREGEX_H
#define CICUREGEX_H
#include <stdint.h>

typedef struct TachoICURegex TachoICURegex;

/// Compiles `pattern` (UTF-16) with a limit of `timeLimit` match-engine steps (ICU's
/// unit, about a millisecond each) per match; NULL with `*errorCode` and `*errorOffset`
/// set when ICU refuses it.
TachoICURegex *tacho_icu_regex_open(const uint16_t *pattern, int32_t length, int32_t timeLimit, int32_t *errorCode, int32_t *errorOffset);
void tacho_icu_regex_close(TachoICURegex *regex);
int32_t tacho_icu_regex_group_count(TachoICURegex *regex);
/// 1 when the whole `text` (UTF-16) matches (the groups' bounds are then readable until
/// the next call), 0 when it does not, -1 when the match gave up at the step limit or failed.
int tacho_icu_regex_matches(TachoICURegex *regex, const uint16_t *text, int32_t length);
/// The UTF-16 bounds of `group` in the last match; -1 when it took no part.
int32_t tacho_icu_regex_start(TachoICURegex *regex, int32_t group);
int32_t tacho_icu_regex_end(TachoICURegex *regex, int32_t group);
/// Drops the text of the last match (the expression must not point into freed memory).
void tacho_icu_regex_clear(TachoICURegex *regex);
#endif
