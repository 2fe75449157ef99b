#ifndef TACHO_CLZ4_SHIM_H
#define TACHO_CLZ4_SHIM_H

#include <lz4.h>
#include <stddef.h>
#include <stdint.h>

/*
 * CRC32C (Castagnoli), the checksum Kafka uses for record batches.
 * Kept in C beside LZ4 because the hardware instruction is the hot path of
 * verify-on-read: with SSE4.2 it runs at memory speed, without it a
 * slicing-by-8 table keeps it within a few GB/s.
 */

static uint32_t tacho_crc32c_table[8][256] = {{0}};
static int tacho_crc32c_ready = 0;

static inline void tacho_crc32c_init_table(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = n;
        for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        tacho_crc32c_table[0][n] = c;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t c = tacho_crc32c_table[0][n];
        for (int t = 1; t < 8; t++) {
            c = tacho_crc32c_table[0][c & 0xff] ^ (c >> 8);
            tacho_crc32c_table[t][n] = c;
        }
    }
    tacho_crc32c_ready = 1;
}

static inline uint32_t tacho_crc32c_sw(uint32_t crc, const uint8_t *p, size_t n) {
    if (!tacho_crc32c_ready) tacho_crc32c_init_table();
    crc = ~crc;
    while (n >= 8) {
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        w ^= crc;
        crc = tacho_crc32c_table[7][w & 0xff] ^ tacho_crc32c_table[6][(w >> 8) & 0xff] ^
              tacho_crc32c_table[5][(w >> 16) & 0xff] ^ tacho_crc32c_table[4][(w >> 24) & 0xff] ^
              tacho_crc32c_table[3][(w >> 32) & 0xff] ^ tacho_crc32c_table[2][(w >> 40) & 0xff] ^
              tacho_crc32c_table[1][(w >> 48) & 0xff] ^ tacho_crc32c_table[0][w >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = tacho_crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2")))
static inline uint32_t tacho_crc32c_hw(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = ~crc;
    while (n >= 8) {
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        c = __builtin_ia32_crc32di(c, w);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}
#endif

/* 1 when `tacho_crc32c` runs on the CPU's CRC32 instruction (x86_64 with SSE4.2). */
static inline int tacho_crc32c_has_hardware(void) {
#if defined(__x86_64__)
    return __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
    return 0;
#endif
}

/* Extends `crc` (0 to start) over `n` bytes at `p`. */
static inline uint32_t tacho_crc32c(uint32_t crc, const void *p, size_t n) {
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2")) return tacho_crc32c_hw(crc, (const uint8_t *)p, n);
#endif
    return tacho_crc32c_sw(crc, (const uint8_t *)p, n);
}

#endif
