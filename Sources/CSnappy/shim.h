#ifndef TACHO_CSNAPPY_SHIM_H
#define TACHO_CSNAPPY_SHIM_H

/*
 * Snappy's C API (Debian's libsnappy-dev): the block format Prometheus remote-write
 * bodies are compressed with (not the framed/stream format).
 */
#include <snappy-c.h>
#include <stddef.h>

#endif
