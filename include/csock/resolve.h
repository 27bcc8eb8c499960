/* Name resolution and other name-service wrappers.  Owned by the "netdb"
 * work; see src/core/resolve.c.
 *
 * Return conventions differ by family of function, because the C library
 * reports their failures in three unrelated code spaces that must not be
 * mixed up (musl's contract):
 *
 *   csock_getaddrinfo, csock_getnameinfo   0 or an EAI_* code (never
 *                                          -errno); for EAI_SYSTEM the
 *                                          errno value is in *sys_errno.
 *   csock_gethostbyname, csock_gethostbyaddr
 *                                          0, CSOCK_HOST_ERROR with the
 *                                          h_errno value in out->h_err
 *                                          (HOST_NOT_FOUND, ...,
 *                                          NETDB_INTERNAL), or -errno.
 *   everything else                        0 (or a count) or -errno;
 *                                          "not found" is -ENOENT.
 *
 * All of these may block on the network or on NSS modules: the binding
 * calls them with the GIL released.  None of them keeps static state, so
 * they are safe to call from several threads at once.
 */
#ifndef CSOCK_RESOLVE_H
#define CSOCK_RESOLVE_H

#include <netdb.h>

/* getaddrinfo(3) with the hints spelled out.  host and serv may be NULL
 * (not both).  On success *res must be released with
 * csock_freeaddrinfo(). */
int csock_getaddrinfo(const char *host, const char *serv, int family,
                      int type, int proto, int flags, struct addrinfo **res,
                      int *sys_errno);
void csock_freeaddrinfo(struct addrinfo *res);

/* getnameinfo(3).  host/serv may be NULL when their length is 0. */
int csock_getnameinfo(const struct sockaddr *sa, socklen_t salen,
                      char *host, size_t hostlen, char *serv,
                      size_t servlen, int flags, int *sys_errno);

/* A host entry together with the buffer its strings live in; release it
 * with csock_hostent_free() (also safe after a failed lookup). */
typedef struct csock_hostent {
    struct hostent he;
    char *buf;
    int h_err;
} csock_hostent;

#define CSOCK_HOST_ERROR 1

/* gethostbyname2_r(3) / gethostbyaddr_r(3), growing the buffer as
 * needed. */
int csock_gethostbyname(const char *name, int af, csock_hostent *out);
int csock_gethostbyaddr(const void *addr, socklen_t len, int af,
                        csock_hostent *out);
void csock_hostent_free(csock_hostent *h);

/* getservbyname_r(3): *port in host byte order.  proto may be NULL. */
int csock_getservbyname(const char *name, const char *proto, int *port);
/* getservbyport_r(3): port in host byte order; the name is copied to
 * name (-ENOSPC when it does not fit). */
int csock_getservbyport(int port, const char *proto, char *name,
                        size_t size);
/* getprotobyname_r(3). */
int csock_getprotobyname(const char *name, int *proto);

/* gethostname(2) / sethostname(2).  gethostname always NUL-terminates
 * (a truncated name is -ENAMETOOLONG). */
int csock_gethostname(char *buf, size_t size);
int csock_sethostname(const char *name, size_t len);

/* if_nametoindex(3): 0 with the index (> 0) in *index, or -errno
 * (-ENODEV when there is no such interface). */
int csock_if_nametoindex(const char *name, unsigned int *index);
/* if_indextoname(3) into buf (at least IF_NAMESIZE bytes). */
int csock_if_indextoname(unsigned int index, char *buf);

#endif
