/*
 * addr.c - packing and unpacking socket addresses, without Python.
 *
 * The binding converts Python objects to plain C values (bytes, integers)
 * and leaves every decision about lengths, byte order and the layout of
 * the address structures to this file, so that the part that sees
 * untrusted lengths can be tested and fuzzed on its own.  All writes go to
 * a csock_sockaddr, whose size bounds every copy.
 */
#include "csock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stddef.h>
#include <string.h>

/* Offset of sun_path: the size of the address of an unnamed socket. */
#define UN_PATH_OFFSET offsetof(struct sockaddr_un, sun_path)

int
csock_addr_size(int family)
{
    switch (family) {
    case AF_INET:
        return (int)sizeof(struct sockaddr_in);
    case AF_INET6:
        return (int)sizeof(struct sockaddr_in6);
    case AF_UNIX:
        return (int)sizeof(struct sockaddr_un);
    default:
        return csock__addr_family_size(family);
    }
}

socklen_t
csock_addr_copy(csock_sockaddr *out, const struct sockaddr *sa,
                socklen_t salen)
{
    memset(out, 0, sizeof(*out));
    if (salen > (socklen_t)sizeof(*out)) {
        salen = (socklen_t)sizeof(*out);
    }
    if (sa != NULL && salen > 0) {
        memcpy(out, sa, salen);
    }
    return salen;
}

socklen_t
csock_addr_in4(csock_sockaddr *out, const void *addr, uint16_t port)
{
    memset(out, 0, sizeof(*out));
    out->in4.sin_family = AF_INET;
    out->in4.sin_port = htons(port);
    memcpy(&out->in4.sin_addr, addr, sizeof(out->in4.sin_addr));
    return (socklen_t)sizeof(out->in4);
}

int
csock_addr_in6(csock_sockaddr *out, const void *addr, uint16_t port,
               uint32_t flowinfo, uint32_t scope_id)
{
    if (csock_addr_check_flowinfo(flowinfo) < 0) {
        return CSOCK_ERR(ERANGE);
    }
    memset(out, 0, sizeof(*out));
    out->in6.sin6_family = AF_INET6;
    out->in6.sin6_port = htons(port);
    out->in6.sin6_flowinfo = htonl(flowinfo);
    out->in6.sin6_scope_id = scope_id;
    memcpy(&out->in6.sin6_addr, addr, sizeof(out->in6.sin6_addr));
    return (int)sizeof(out->in6);
}

int
csock_addr_check_port(long port)
{
    return (port < 0 || port > CSOCK_PORT_MAX) ? CSOCK_ERR(ERANGE) : 0;
}

int
csock_addr_check_flowinfo(unsigned long flowinfo)
{
    return flowinfo > CSOCK_FLOWINFO_MAX ? CSOCK_ERR(ERANGE) : 0;
}

int
csock_addr_set_port(csock_sockaddr *sa, uint16_t port)
{
    switch (sa->sa.sa_family) {
    case AF_INET:
        sa->in4.sin_port = htons(port);
        return 0;
    case AF_INET6:
        sa->in6.sin6_port = htons(port);
        return 0;
    default:
        return CSOCK_ERR(EAFNOSUPPORT);
    }
}

int
csock_addr_set_in6_extra(csock_sockaddr *sa, uint32_t flowinfo,
                         uint32_t scope_id)
{
    if (sa->sa.sa_family != AF_INET6) {
        return CSOCK_ERR(EAFNOSUPPORT);
    }
    if (csock_addr_check_flowinfo(flowinfo) < 0) {
        return CSOCK_ERR(ERANGE);
    }
    sa->in6.sin6_flowinfo = htonl(flowinfo);
    sa->in6.sin6_scope_id = scope_id;
    return 0;
}

int
csock_addr_get_inet(const csock_sockaddr *sa, uint16_t *port,
                    uint32_t *flowinfo, uint32_t *scope_id)
{
    uint16_t p;
    uint32_t flow = 0, scope = 0;

    switch (sa->sa.sa_family) {
    case AF_INET:
        p = ntohs(sa->in4.sin_port);
        break;
    case AF_INET6:
        p = ntohs(sa->in6.sin6_port);
        flow = ntohl(sa->in6.sin6_flowinfo);
        scope = sa->in6.sin6_scope_id;
        break;
    default:
        return CSOCK_ERR(EAFNOSUPPORT);
    }
    if (port != NULL) {
        *port = p;
    }
    if (flowinfo != NULL) {
        *flowinfo = flow;
    }
    if (scope_id != NULL) {
        *scope_id = scope;
    }
    return 0;
}

int
csock_addr_ntop(const csock_sockaddr *sa, char *buf, size_t size)
{
    const void *src;
    /* inet_ntop takes a socklen_t; a larger size is no use to it. */
    socklen_t n = size > 256 ? 256 : (socklen_t)size;

    switch (sa->sa.sa_family) {
    case AF_INET:
        src = &sa->in4.sin_addr;
        break;
    case AF_INET6:
        src = &sa->in6.sin6_addr;
        break;
    default:
        return CSOCK_ERR(EAFNOSUPPORT);
    }
    if (inet_ntop(sa->sa.sa_family, src, buf, n) == NULL) {
        return CSOCK_ERR(errno);
    }
    return (int)strlen(buf);
}

int
csock_addr_unix(csock_sockaddr *out, const void *path, size_t len,
                socklen_t *outlen)
{
    const size_t cap = sizeof(out->un.sun_path);
    int abstract = 0;

#ifdef __linux__
    /* Linux's abstract namespace: the name is every byte given, NULs
     * included, and it is not NUL-terminated, so it may use all of
     * sun_path. */
    abstract = len > 0 && ((const char *)path)[0] == '\0';
#endif
    /* A filesystem path needs one byte more for its terminating NUL:
     * systems other than Linux expect to find one inside sun_path. */
    if (abstract ? len > cap : len >= cap) {
        return CSOCK_ERR(ENAMETOOLONG);
    }
    memset(out, 0, sizeof(*out));
    out->un.sun_family = AF_UNIX;
    if (len > 0) {
        memcpy(out->un.sun_path, path, len);
    }
    /* The length covers the given bytes only, not the NUL that the zeroed
     * buffer supplies after a path: for len == 0 the bare family is what
     * asks Linux to autobind, whereas one NUL byte more would name the
     * abstract socket "\0". */
    *outlen = (socklen_t)(UN_PATH_OFFSET + len);
    return 0;
}

int
csock_addr_unix_name(const csock_sockaddr *sa, socklen_t salen,
                     size_t *namelen)
{
    size_t avail;

    *namelen = 0;
    if (sa->sa.sa_family != AF_UNIX) {
        return CSOCK_ERR(EAFNOSUPPORT);
    }
    /* The kernel reports the length it wanted to write, which may exceed
     * the structure; never look past sun_path. */
    if ((size_t)salen > sizeof(struct sockaddr_un)) {
        salen = (socklen_t)sizeof(struct sockaddr_un);
    }
    if ((size_t)salen <= UN_PATH_OFFSET) {
        return CSOCK_UNIX_UNNAMED;
    }
    avail = (size_t)salen - UN_PATH_OFFSET;
#ifdef __linux__
    if (sa->un.sun_path[0] == '\0') {
        *namelen = avail;
        return CSOCK_UNIX_ABSTRACT;
    }
#endif
    /* A path ends at its first NUL; whether the kernel counted that NUL
     * in the length varies (Linux does for getsockname of a bound path,
     * and stores only up to the first NUL even when more was given). */
    *namelen = strnlen(sa->un.sun_path, avail);
    return *namelen == 0 ? CSOCK_UNIX_UNNAMED : CSOCK_UNIX_PATH;
}

int
csock_addr_numeric_host(const char *name, int af, csock_sockaddr *out,
                        socklen_t *outlen)
{
    unsigned char buf[sizeof(struct in6_addr)];
    int r;

    if (strcmp(name, "<broadcast>") == 0 ||
        strcmp(name, "255.255.255.255") == 0) {
        const uint32_t bcast = htonl(INADDR_BROADCAST);

        if (af != AF_INET && af != AF_UNSPEC) {
            return CSOCK_ERR(EAFNOSUPPORT);
        }
        *outlen = csock_addr_in4(out, &bcast, 0);
        return 1;
    }
    /* inet_pton is strict (four decimal parts, no leading zeros in glibc,
     * no surrounding space): the looser forms ("127.1", "0x7f.1", octal)
     * are left to getaddrinfo, which reads them as inet_aton does. */
    if (af == AF_INET || af == AF_UNSPEC) {
        r = inet_pton(AF_INET, name, buf);
        if (r == 1) {
            *outlen = csock_addr_in4(out, buf, 0);
            return 1;
        }
    }
    if (af == AF_INET6 || af == AF_UNSPEC) {
        r = inet_pton(AF_INET6, name, buf);
        if (r == 1) {
            r = csock_addr_in6(out, buf, 0, 0, 0);
            *outlen = (socklen_t)r;
            return 1;
        }
    }
    return 0;
}

int
csock_addr_resolve(const char *name, int af, csock_sockaddr *out,
                   socklen_t *outlen, int *more, int *sys_errno)
{
    struct addrinfo hints, *res = NULL;
    int passive = name == NULL || name[0] == '\0';
    int r;

    *more = 0;
    *sys_errno = 0;
    *outlen = 0;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = af;
    if (passive) {
        /* The wildcard address for bind(): one socket type is enough to
         * get one entry per family. */
        hints.ai_socktype = SOCK_DGRAM;
        hints.ai_flags = AI_PASSIVE;
    }
    errno = 0;
    r = getaddrinfo(passive ? NULL : name, passive ? "0" : NULL, &hints,
                    &res);
    if (r != 0) {
#ifdef EAI_SYSTEM
        if (r == EAI_SYSTEM) {
            *sys_errno = errno;
        }
#endif
        return r;
    }
    if (res == NULL || res->ai_addr == NULL) {
        /* Not expected from a conforming getaddrinfo; report it as a
         * failed lookup rather than use an empty address. */
        if (res != NULL) {
            freeaddrinfo(res);
        }
        return EAI_NONAME;
    }
    *outlen = csock_addr_copy(out, res->ai_addr, res->ai_addrlen);
    *more = res->ai_next != NULL;
    freeaddrinfo(res);
    return 0;
}
