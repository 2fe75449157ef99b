#ifndef TACHO_CZSTD_SHIM_H
#define TACHO_CZSTD_SHIM_H

/* Zstandard (Debian's libzstd-dev): the view snapshots' compression. */
#include <zstd.h>

#endif
