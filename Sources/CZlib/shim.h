#ifndef TACHO_CZLIB_SHIM_H
#define TACHO_CZLIB_SHIM_H

/*
 * zlib (Debian's zlib1g-dev): gzip request bodies, as OTLP exporters and Telegraf
 * send them.
 */
#include <zlib.h>

/* inflateInit2 is a macro; Swift cannot call it directly. windowBits 15 + 32 reads
 * both gzip and zlib headers. */
static inline int tacho_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}

#endif
