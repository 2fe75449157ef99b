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

/* deflateInit2 likewise: windowBits 15 + 16 writes a gzip header and trailer, as a
 * sender's Content-Encoding: gzip (the fuzz target's round trip). */
static inline int tacho_deflate_init_gzip(z_stream *stream) {
    return deflateInit2(stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

#endif
