/* Text <-> binary conversion of IPv4/IPv6 addresses, strict, without
 * locale or resolver.  Owned by the "netdb" work; see src/core/inet.c.
 *
 * Every parser takes an explicit length and never reads past it (the
 * text need not be NUL-terminated), so that the functions can be fuzzed
 * on raw buffers.  The accepted syntax is the one glibc accepts, because
 * the stdlib's socket module hands its strings to glibc and csocket must
 * agree with it byte for byte:
 *
 *   csock_inet_pton4  exactly four decimal parts, 0-255, no leading zeros
 *                     ("01" is refused), nothing before or after.
 *   csock_inet_pton6  RFC 4291 text: up to eight groups of 1-4 hex
 *                     digits, at most one "::" standing for at least one
 *                     zero group, optionally ending in a pton4 quad.
 *   csock_inet_aton   the historical BSD form: one to four parts, each
 *                     decimal, octal (leading 0) or hex (0x); the last
 *                     part fills the remaining bytes; the text may end
 *                     with ASCII white space or a NUL followed by
 *                     anything (glibc reads a C string and stops there).
 *
 * pton4 and pton6 refuse a NUL inside the given length.
 *
 * Parsers return 0 on success or -EINVAL for text they refuse (dst is
 * then unspecified).  Formatters write the text and a terminating NUL and
 * return the length of the text, or return -ENOSPC, writing nothing, when
 * size is too small.  The generic entry points return -EAFNOSUPPORT for a
 * family other than AF_INET and AF_INET6.
 */
#ifndef CSOCK_INET_H
#define CSOCK_INET_H

#include <stddef.h>

/* Buffer sizes that fit any formatted address, NUL included. */
#define CSOCK_INET_ADDRSTRLEN 16
#define CSOCK_INET6_ADDRSTRLEN 46

int csock_inet_pton4(const char *src, size_t len, unsigned char dst[4]);
int csock_inet_pton6(const char *src, size_t len, unsigned char dst[16]);
int csock_inet_aton(const char *src, size_t len, unsigned char dst[4]);

/* Dotted quad, "a.b.c.d". */
int csock_inet_ntop4(const unsigned char src[4], char *dst, size_t size);

/* RFC 5952 form as glibc prints it: lowercase hex without leading zeros,
 * the first longest run of two or more zero groups written "::", and the
 * last 32 bits as a dotted quad for the IPv4-compatible (::a.b.c.d, the
 * first 96 bits zero, the next 16 bits not) and IPv4-mapped
 * (::ffff:a.b.c.d) addresses. */
int csock_inet_ntop6(const unsigned char src[16], char *dst, size_t size);

/* Dispatch on af (AF_INET: dst holds 4 bytes; AF_INET6: 16). */
int csock_inet_pton(int af, const char *src, size_t len, void *dst);
int csock_inet_ntop(int af, const void *src, char *dst, size_t size);

#endif
