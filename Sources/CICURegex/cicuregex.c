#include "cicuregex.h"
#include <stdlib.h>
#include <unicode/uregex.h>

struct TachoICURegex {
    URegularExpression *regex;
};

TachoICURegex *tacho_icu_regex_open(const uint16_t *pattern, int32_t length, int32_t timeLimit, int32_t *errorCode, int32_t *errorOffset) {
    UErrorCode status = U_ZERO_ERROR;
    UParseError parseError = {0};
    URegularExpression *regex = uregex_open((const UChar *)pattern, length, 0, &parseError, &status);
    *errorCode = (int32_t)status;
    *errorOffset = parseError.offset;
    if (U_FAILURE(status) || regex == NULL) {
        if (regex != NULL) uregex_close(regex);
        return NULL;
    }
    // ICU backtracks: a pattern such as (a+)+b on a long run of a's takes exponential time.
    uregex_setTimeLimit(regex, timeLimit, &status);
    if (U_FAILURE(status)) {
        *errorCode = (int32_t)status;
        uregex_close(regex);
        return NULL;
    }
    TachoICURegex *wrapper = malloc(sizeof(TachoICURegex));
    if (wrapper == NULL) {
        uregex_close(regex);
        *errorCode = (int32_t)U_MEMORY_ALLOCATION_ERROR;
        return NULL;
    }
    wrapper->regex = regex;
    return wrapper;
}

void tacho_icu_regex_close(TachoICURegex *regex) {
    uregex_close(regex->regex);
    free(regex);
}

int32_t tacho_icu_regex_group_count(TachoICURegex *regex) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t count = uregex_groupCount(regex->regex, &status);
    return U_FAILURE(status) ? 0 : count;
}

int tacho_icu_regex_matches(TachoICURegex *regex, const uint16_t *text, int32_t length) {
    static const UChar empty[1] = {0};
    UErrorCode status = U_ZERO_ERROR;
    uregex_setText(regex->regex, length > 0 ? (const UChar *)text : empty, length, &status);
    if (U_FAILURE(status)) return -1;
    UBool matched = uregex_matches(regex->regex, 0, &status);
    return U_FAILURE(status) ? -1 : (matched ? 1 : 0);
}

int32_t tacho_icu_regex_start(TachoICURegex *regex, int32_t group) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t start = uregex_start(regex->regex, group, &status);
    return U_FAILURE(status) ? -1 : start;
}

int32_t tacho_icu_regex_end(TachoICURegex *regex, int32_t group) {
    UErrorCode status = U_ZERO_ERROR;
    int32_t end = uregex_end(regex->regex, group, &status);
    return U_FAILURE(status) ? -1 : end;
}

void tacho_icu_regex_clear(TachoICURegex *regex) {
    static const UChar empty[1] = {0};
    UErrorCode status = U_ZERO_ERROR;
    uregex_setText(regex->regex, empty, 0, &status);
}
