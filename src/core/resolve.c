/*
 * resolve.c - thin wrappers over the C library's name services.
 *
 * Each wrapper turns one libc interface into the return convention of
 * include/csock/resolve.h and hides the reentrant (_r) variants' buffer
 * management, so that the binding can call them with the GIL released
 * without sharing static buffers between threads.
 */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csock.h"

/* The _r functions report a small buffer with ERANGE; we start with what
 * fits typical entries and double up to a limit that no sane /etc file
 * or NSS answer needs, so that a broken source cannot make us allocate
 * without bound. */
#define BUF_START 1024
#define BUF_LIMIT (1024 * 1024)

int
csock_getaddrinfo(const char *host, const char *serv, int family, int type,
                  int proto, int flags, struct addrinfo **res,
                  int *sys_errno)
{
    struct addrinfo hints;
    int r;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = type;
    hints.ai_protocol = proto;
    hints.ai_flags = flags;
    *res = NULL;
    errno = 0;
    r = getaddrinfo(host, serv, &hints, res);
    if (r != 0) {
        /* Make sure no partial list escapes on failure. */
        *res = NULL;
    }
    if (sys_errno != NULL) {
        *sys_errno = r == EAI_SYSTEM ? errno : 0;
    }
    return r;
}

void
csock_freeaddrinfo(struct addrinfo *res)
{
    if (res != NULL) {
        freeaddrinfo(res);
    }
}

int
csock_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
                  size_t hostlen, char *serv, size_t servlen, int flags,
                  int *sys_errno)
{
    int r;

    errno = 0;
    r = getnameinfo(sa, salen, host, (socklen_t)hostlen, serv,
                    (socklen_t)servlen, flags);
    if (sys_errno != NULL) {
        *sys_errno = r == EAI_SYSTEM ? errno : 0;
    }
    return r;
}

void
csock_hostent_free(csock_hostent *h)
{
    free(h->buf);
    h->buf = NULL;
}

/* Runs one gethostby*_r lookup (lookup_fn fills he from buf) with a
 * growing buffer; see the convention in resolve.h. */
typedef int (*host_lookup_fn)(const void *key, socklen_t keylen, int af,
                              struct hostent *he, char *buf, size_t size,
                              struct hostent **result, int *h_err);

static int
host_lookup(host_lookup_fn fn, const void *key, socklen_t keylen, int af,
            csock_hostent *out)
{
    size_t size = BUF_START;

    out->buf = NULL;
    out->h_err = 0;
    for (;;) {
        struct hostent *result = NULL;
        char *buf = realloc(out->buf, size);
        int r;

        if (buf == NULL) {
            csock_hostent_free(out);
            return -ENOMEM;
        }
        out->buf = buf;
        r = fn(key, keylen, af, &out->he, buf, size, &result, &out->h_err);
        if (r == ERANGE && size < BUF_LIMIT) {
            size *= 2;
            continue;
        }
        if (r == 0 && result != NULL) {
            return 0;
        }
        csock_hostent_free(out);
        if (r != 0 && out->h_err == NETDB_INTERNAL) {
            /* A system error, not a name-service answer. */
            return -r;
        }
        if (out->h_err == 0) {
            /* glibc leaves h_errno alone for some failures; report what
             * the stdlib would then see, a lookup failure. */
            out->h_err = HOST_NOT_FOUND;
        }
        return CSOCK_HOST_ERROR;
    }
}

static int
byname_fn(const void *key, socklen_t keylen, int af, struct hostent *he,
          char *buf, size_t size, struct hostent **result, int *h_err)
{
    (void)keylen;
    return gethostbyname2_r(key, af, he, buf, size, result, h_err);
}

static int
byaddr_fn(const void *key, socklen_t keylen, int af, struct hostent *he,
          char *buf, size_t size, struct hostent **result, int *h_err)
{
    return gethostbyaddr_r(key, keylen, af, he, buf, size, result, h_err);
}

int
csock_gethostbyname(const char *name, int af, csock_hostent *out)
{
    return host_lookup(byname_fn, name, 0, af, out);
}

int
csock_gethostbyaddr(const void *addr, socklen_t len, int af,
                    csock_hostent *out)
{
    return host_lookup(byaddr_fn, addr, len, af, out);
}

/* The getserv*_r and getproto*_r functions share the buffer dance:
 * kind selects the call. */
enum { SERV_BY_NAME, SERV_BY_PORT, PROTO_BY_NAME };

static int
db_lookup(int kind, const char *name, int port, const char *proto,
          int *num_out, char *name_out, size_t name_size)
{
    size_t size = BUF_START;
    char *buf = NULL;
    int ret;

    for (;;) {
        struct servent se, *sres = NULL;
        struct protoent pe, *pres = NULL;
        char *nbuf = realloc(buf, size);
        int r;

        if (nbuf == NULL) {
            ret = -ENOMEM;
            break;
        }
        buf = nbuf;
        if (kind == SERV_BY_NAME) {
            r = getservbyname_r(name, proto, &se, buf, size, &sres);
        }
        else if (kind == SERV_BY_PORT) {
            /* s_port and the port argument are in network byte order. */
            r = getservbyport_r((int)htons((uint16_t)port), proto, &se, buf,
                                size, &sres);
        }
        else {
            r = getprotobyname_r(name, &pe, buf, size, &pres);
        }
        if (r == ERANGE && size < BUF_LIMIT) {
            size *= 2;
            continue;
        }
        if (kind == PROTO_BY_NAME ? pres == NULL : sres == NULL) {
            /* glibc returns 0 with a NULL result for "not found", and an
             * errno value for real failures; the callers report both as
             * not found, as the stdlib does. */
            ret = -ENOENT;
            break;
        }
        ret = 0;
        if (kind == SERV_BY_NAME) {
            *num_out = ntohs((uint16_t)sres->s_port);
        }
        else if (kind == PROTO_BY_NAME) {
            *num_out = pres->p_proto;
        }
        else {
            size_t len = strlen(sres->s_name);

            if (len >= name_size) {
                ret = -ENOSPC;
            }
            else {
                memcpy(name_out, sres->s_name, len + 1);
            }
        }
        break;
    }
    free(buf);
    return ret;
}

int
csock_getservbyname(const char *name, const char *proto, int *port)
{
    return db_lookup(SERV_BY_NAME, name, 0, proto, port, NULL, 0);
}

int
csock_getservbyport(int port, const char *proto, char *name, size_t size)
{
    return db_lookup(SERV_BY_PORT, NULL, port, proto, NULL, name, size);
}

int
csock_getprotobyname(const char *name, int *proto)
{
    return db_lookup(PROTO_BY_NAME, name, 0, NULL, proto, NULL, 0);
}

int
csock_gethostname(char *buf, size_t size)
{
    if (buf == NULL) {
        return -EINVAL;
    }
    if (size == 0) {
        return -ENAMETOOLONG;
    }
    if (gethostname(buf, size) != 0) {
        return -errno;
    }
    /* POSIX leaves termination of a truncated name unspecified. */
    if (memchr(buf, '\0', size) == NULL) {
        buf[size - 1] = '\0';
        return -ENAMETOOLONG;
    }
    return 0;
}

int
csock_sethostname(const char *name, size_t len)
{
    if (sethostname(name, len) != 0) {
        return -errno;
    }
    return 0;
}

int
csock_if_nametoindex(const char *name, unsigned int *index)
{
    unsigned int i;

    errno = 0;
    i = if_nametoindex(name);
    if (i == 0) {
        return errno != 0 ? -errno : -ENODEV;
    }
    *index = i;
    return 0;
}

int
csock_if_indextoname(unsigned int index, char *buf)
{
    if (if_indextoname(index, buf) == NULL) {
        return -errno;
    }
    return 0;
}
