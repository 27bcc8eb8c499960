/*
 * inet.c - IPv4/IPv6 text <-> binary conversion, written for csocket.
 *
 * Why not libc's inet_pton/inet_ntop/inet_aton: these functions sit on
 * hot paths (every address a Python program passes as text goes through
 * them), they must accept exactly what glibc accepts (the stdlib uses
 * glibc, and csocket has to agree with the stdlib on every string), and
 * they take explicit lengths so that they can be fuzzed on raw buffers.
 * The rules are spelled out in include/csock/inet.h; the comments below
 * explain the corner cases.
 *
 * No function reads src[len] or beyond, uses the locale, or allocates.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "csock.h"

/* The value of a hex digit, or -1. */
static int
hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The white space of the C locale's isspace().  Only ASCII counts: glibc
 * checks isascii() first, so a UTF-8 NBSP never ends an address. */
static int
is_c_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Is c a decimal digit?  One comparison (unsigned wrap-around). */
static inline int
is_digit(unsigned char c)
{
    return (unsigned int)(c - '0') <= 9;
}

int
csock_inet_pton4(const char *src, size_t len, unsigned char dst[4])
{
    const unsigned char *p = (const unsigned char *)src;
    const unsigned char *end = p + len;
    int part;

    /* Each part is one to three digits, read without a loop: this runs
     * for every dotted quad a program passes (sendto, connect, inet_pton,
     * getaddrinfo's fast path). */
    for (part = 0; part < 4; part++) {
        unsigned int val;

        if (part > 0) {
            if (p == end || *p != '.') {
                return -EINVAL;
            }
            p++;
        }
        if (p == end || !is_digit(*p)) {
            return -EINVAL;
        }
        val = (unsigned int)(*p++ - '0');
        if (p < end && is_digit(*p)) {
            /* A part that starts with 0 is the single digit 0: "01" is
             * refused rather than being read as octal or as 1. */
            if (val == 0) {
                return -EINVAL;
            }
            val = val * 10 + (unsigned int)(*p++ - '0');
            if (p < end && is_digit(*p)) {
                val = val * 10 + (unsigned int)(*p++ - '0');
                /* More than 255, or a fourth digit (which would make it
                 * more than 255 too). */
                if (val > 255 || (p < end && is_digit(*p))) {
                    return -EINVAL;
                }
            }
        }
        dst[part] = (unsigned char)val;
    }
    return p == end ? 0 : -EINVAL;
}

int
csock_inet_pton6(const char *src, size_t len, unsigned char dst[16])
{
    const unsigned char *p = (const unsigned char *)src;
    const unsigned char *end = p + len;
    const unsigned char *group_start;
    unsigned char buf[16];
    int n = 0;          /* bytes of buf filled so far */
    int gap = -1;       /* where "::" stands in buf, or -1 */

    if (len == 0) {
        return -EINVAL;
    }
    /* A leading colon is only allowed as the first half of "::". */
    if (*p == ':') {
        if (len < 2 || p[1] != ':') {
            return -EINVAL;
        }
        gap = 0;
        p += 2;
        if (p == end) {
            memset(dst, 0, 16);
            return 0;
        }
    }
    for (;;) {
        unsigned int val = 0;
        int ndigits = 0;
        int d;

        group_start = p;
        while (p < end && (d = hexval(*p)) >= 0) {
            if (ndigits == 4) {
                return -EINVAL;
            }
            val = (val << 4) | (unsigned int)d;
            ndigits++;
            p++;
        }
        if (p < end && *p == '.') {
            /* The group is the start of a dotted quad, which must end the
             * text and fit in the last 32 bits that are still free. */
            if (n > 12 ||
                csock_inet_pton4((const char *)group_start,
                                 (size_t)(end - group_start),
                                 buf + n) != 0) {
                return -EINVAL;
            }
            n += 4;
            break;
        }
        if (ndigits == 0) {
            /* Only the leading "::" (handled above) may be followed by
             * the end or by a colon without a group in between. */
            return -EINVAL;
        }
        if (n == 16) {
            return -EINVAL;
        }
        buf[n++] = (unsigned char)(val >> 8);
        buf[n++] = (unsigned char)val;
        if (p == end) {
            break;
        }
        if (*p != ':') {
            return -EINVAL;
        }
        p++;
        if (p < end && *p == ':') {
            /* A second "::", or ":::", is ambiguous. */
            if (gap >= 0) {
                return -EINVAL;
            }
            gap = n;
            p++;
            if (p == end) {
                break;
            }
        }
        else if (p == end) {
            /* A single trailing colon. */
            return -EINVAL;
        }
    }
    if (gap >= 0) {
        /* "::" stands for at least one zero group. */
        int tail = n - gap;

        if (n == 16) {
            return -EINVAL;
        }
        memset(dst, 0, 16);
        memcpy(dst, buf, (size_t)gap);
        memcpy(dst + 16 - tail, buf + gap, (size_t)tail);
        return 0;
    }
    if (n != 16) {
        return -EINVAL;
    }
    memcpy(dst, buf, 16);
    return 0;
}

/* One inet_aton part: decimal, octal after a leading 0, or hex after 0x.
 * Sets *val (values above 32 bits are refused) and returns the position
 * after the number, or NULL when the part is malformed. */
static const unsigned char *
aton_part(const unsigned char *p, const unsigned char *end, uint32_t *val)
{
    uint64_t v = 0;
    int base = 10;

    /* glibc requires a decimal digit first: no sign, no space. */
    if (p == end || *p < '0' || *p > '9') {
        return NULL;
    }
    if (*p == '0') {
        p++;
        if (p < end && (*p == 'x' || *p == 'X')) {
            /* strtoul() only takes "0x" as a prefix when a hex digit
             * follows; otherwise it stops after the 0 and the 'x' is
             * trailing garbage.  Either way the part is refused. */
            p++;
            if (p == end || hexval(*p) < 0) {
                return NULL;
            }
            base = 16;
        }
        else {
            base = 8;
        }
    }
    for (; p < end; p++) {
        int d;

        if (base == 16) {
            d = hexval(*p);
        }
        else if (*p >= '0' && *p <= '9') {
            d = *p - '0';
        }
        else {
            d = -1;
        }
        if (d < 0 || d >= base) {
            /* For octal, an '8' or '9' ends the number and is then
             * refused by the caller as an unexpected character. */
            break;
        }
        v = v * (uint64_t)base + (uint64_t)d;
        /* Keep consuming digits (leading zeros are unlimited), but
         * remember that the value no longer fits in 32 bits. */
        if (v > UINT32_MAX) {
            v = (uint64_t)UINT32_MAX + 1;
        }
    }
    if (v > UINT32_MAX) {
        return NULL;
    }
    *val = (uint32_t)v;
    return p;
}

int
csock_inet_aton(const char *src, size_t len, unsigned char dst[4])
{
    const unsigned char *p = (const unsigned char *)src;
    const unsigned char *end = p + len;
    uint32_t parts[4];
    uint32_t addr;
    int nparts = 0;

    for (;;) {
        p = aton_part(p, end, &parts[nparts]);
        if (p == NULL) {
            return -EINVAL;
        }
        nparts++;
        if (p == end || *p != '.') {
            break;
        }
        /* Every part but the last is one byte, and there are at most
         * four of them. */
        if (nparts == 4 || parts[nparts - 1] > 0xff) {
            return -EINVAL;
        }
        p++;
    }
    /* What follows the address must be the end of the text (a NUL ends a
     * C string, so it counts as the end) or white space, after which
     * glibc ignores everything. */
    if (p < end && *p != '\0' && !is_c_space(*p)) {
        return -EINVAL;
    }
    /* The last part fills all the bytes the others left. */
    switch (nparts) {
    case 1:
        addr = parts[0];
        break;
    case 2:
        if (parts[1] > 0xffffff) {
            return -EINVAL;
        }
        addr = (parts[0] << 24) | parts[1];
        break;
    case 3:
        if (parts[2] > 0xffff) {
            return -EINVAL;
        }
        addr = (parts[0] << 24) | (parts[1] << 16) | parts[2];
        break;
    default:
        if (parts[3] > 0xff) {
            return -EINVAL;
        }
        addr = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) |
               parts[3];
        break;
    }
    dst[0] = (unsigned char)(addr >> 24);
    dst[1] = (unsigned char)(addr >> 16);
    dst[2] = (unsigned char)(addr >> 8);
    dst[3] = (unsigned char)addr;
    return 0;
}

/* Writes the decimal form of b (0-255) at out; returns the length. */
static int
put_byte(char *out, unsigned int b)
{
    int n = 0;

    if (b >= 100) {
        out[n++] = (char)('0' + b / 100);
    }
    if (b >= 10) {
        out[n++] = (char)('0' + b / 10 % 10);
    }
    out[n++] = (char)('0' + b % 10);
    return n;
}

/* Writes the dotted quad of src at out (room for 15 characters);
 * returns the length, without a NUL. */
static int
put_quad(char *out, const unsigned char *src)
{
    int n = put_byte(out, src[0]);

    out[n++] = '.';
    n += put_byte(out + n, src[1]);
    out[n++] = '.';
    n += put_byte(out + n, src[2]);
    out[n++] = '.';
    n += put_byte(out + n, src[3]);
    return n;
}

int
csock_inet_ntop4(const unsigned char src[4], char *dst, size_t size)
{
    char tmp[CSOCK_INET_ADDRSTRLEN];
    int n = put_quad(tmp, src);

    if ((size_t)n >= size) {
        return -ENOSPC;
    }
    memcpy(dst, tmp, (size_t)n);
    dst[n] = '\0';
    return n;
}

/* Writes a 16-bit group in lowercase hex without leading zeros. */
static int
put_group(char *out, unsigned int w)
{
    static const char digits[] = "0123456789abcdef";
    int n = 0;
    int shift;
    int started = 0;

    for (shift = 12; shift >= 0; shift -= 4) {
        unsigned int d = (w >> shift) & 0xf;

        if (d != 0 || started || shift == 0) {
            out[n++] = digits[d];
            started = 1;
        }
    }
    return n;
}

int
csock_inet_ntop6(const unsigned char src[16], char *dst, size_t size)
{
    char tmp[CSOCK_INET6_ADDRSTRLEN];
    unsigned int w[8];
    int best = -1, best_len = 0;
    int i, n = 0;

    for (i = 0; i < 8; i++) {
        w[i] = ((unsigned int)src[2 * i] << 8) | src[2 * i + 1];
    }
    /* The first longest run of zero groups; a lone zero group is written
     * out, not compressed (RFC 5952 section 4.2.2). */
    for (i = 0; i < 8;) {
        int j = i;

        while (j < 8 && w[j] == 0) {
            j++;
        }
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    if (best_len < 2) {
        best = -1;
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            /* One colon here; the other comes from the group after the
             * run, or is added below when the run ends the address. */
            tmp[n++] = ':';
            i += best_len - 1;
            if (i == 7) {
                tmp[n++] = ':';
            }
            continue;
        }
        if (i > 0) {
            tmp[n++] = ':';
        }
        /* glibc's choice of embedded dotted quads: the IPv4-compatible
         * ::a.b.c.d (exactly six leading zero groups) and the IPv4-mapped
         * ::ffff:a.b.c.d.  Other forms (::ffff:0:a.b.c.d, NAT64) are
         * printed in hex, as glibc does. */
        if (i == 6 && best == 0 &&
            (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            n += put_quad(tmp + n, src + 12);
            break;
        }
        n += put_group(tmp + n, w[i]);
    }
    if ((size_t)n >= size) {
        return -ENOSPC;
    }
    memcpy(dst, tmp, (size_t)n);
    dst[n] = '\0';
    return n;
}

int
csock_inet_pton(int af, const char *src, size_t len, void *dst)
{
    switch (af) {
    case AF_INET:
        return csock_inet_pton4(src, len, dst);
    case AF_INET6:
        return csock_inet_pton6(src, len, dst);
    default:
        return -EAFNOSUPPORT;
    }
}

int
csock_inet_ntop(int af, const void *src, char *dst, size_t size)
{
    switch (af) {
    case AF_INET:
        return csock_inet_ntop4(src, dst, size);
    case AF_INET6:
        return csock_inet_ntop6(src, dst, size);
    default:
        return -EAFNOSUPPORT;
    }
}
