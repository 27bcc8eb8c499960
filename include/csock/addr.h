/* Socket address packing and unpacking, without Python.
 * Owned by the "addresses" work; see src/core/addr.c.
 *
 * Everything here works on csock_sockaddr (csock.h), a buffer large enough
 * for any address, so that no helper can write past the end of the
 * caller's storage whatever lengths it is handed.  Return 0 (or a length)
 * on success and -errno on failure, unless stated otherwise:
 * csock_addr_resolve() is a resolver call and returns EAI_* codes. */
#ifndef CSOCK_ADDR_H
#define CSOCK_ADDR_H

/* Largest port and IPv6 flow label (20 bits) a socket address can hold. */
#define CSOCK_PORT_MAX 65535
#define CSOCK_FLOWINFO_MAX 0xfffffUL

/* What csock_addr_unix_name() found in an AF_UNIX address. */
enum {
    CSOCK_UNIX_UNNAMED = 0,  /* no name: unbound socket, socketpair end */
    CSOCK_UNIX_PATH = 1,     /* a filesystem path (no NUL included) */
    CSOCK_UNIX_ABSTRACT = 2  /* Linux abstract name, leading NUL included */
};

/* The size of the address structure of family (the buffer length that
 * getsockname(2) and friends need for it), or -EAFNOSUPPORT for a family
 * the core does not know. */
int csock_addr_size(int family);

/* Copy an address of salen bytes, as returned by the kernel, into *out;
 * the rest of *out is zeroed, and salen is clamped to sizeof(*out) (the
 * kernel reports the full length even when it truncated).  Returns the
 * number of bytes copied. */
socklen_t csock_addr_copy(csock_sockaddr *out, const struct sockaddr *sa,
                          socklen_t salen);

/* Fill *out with an AF_INET address: addr is 4 bytes in network order,
 * port in host order.  Returns the address length. */
socklen_t csock_addr_in4(csock_sockaddr *out, const void *addr,
                         uint16_t port);

/* Fill *out with an AF_INET6 address: addr is 16 bytes in network order;
 * port, flowinfo and scope_id in host order.  Returns the address length,
 * or -ERANGE when flowinfo does not fit the 20-bit flow label. */
int csock_addr_in6(csock_sockaddr *out, const void *addr, uint16_t port,
                   uint32_t flowinfo, uint32_t scope_id);

/* Range checks for values that come from users: return 0 or -ERANGE. */
int csock_addr_check_port(long port);
int csock_addr_check_flowinfo(unsigned long flowinfo);

/* Set the port (host order) of an AF_INET or AF_INET6 address in place.
 * Returns 0 or -EAFNOSUPPORT. */
int csock_addr_set_port(csock_sockaddr *sa, uint16_t port);

/* Set the flow label and scope id (host order) of an AF_INET6 address in
 * place.  Returns 0, -EAFNOSUPPORT, or -ERANGE (flowinfo too large). */
int csock_addr_set_in6_extra(csock_sockaddr *sa, uint32_t flowinfo,
                             uint32_t scope_id);

/* Read back the fields of an AF_INET/AF_INET6 address, host order; any
 * out pointer may be NULL (flowinfo/scope_id are 0 for AF_INET).
 * Returns 0 or -EAFNOSUPPORT. */
int csock_addr_get_inet(const csock_sockaddr *sa, uint16_t *port,
                        uint32_t *flowinfo, uint32_t *scope_id);

/* The numeric host of an AF_INET/AF_INET6 address as text ("127.0.0.1",
 * "::1"), without any "%scope" suffix: the scope id is a field of its
 * own.  Returns the text length, -EAFNOSUPPORT, or -ENOSPC when buf is
 * too small (64 bytes are always enough). */
int csock_addr_ntop(const csock_sockaddr *sa, char *buf, size_t size);

/* Build an AF_UNIX address from len bytes of path (not NUL-terminated;
 * NUL bytes inside are copied as they are).  On Linux a path whose first
 * byte is NUL is an abstract name: the address length is then exactly
 * offsetof(sun_path) + len and the name may fill all of sun_path.  A
 * filesystem path must leave room for a terminating NUL, which *out
 * always has after it.  len == 0 gives the bare family (Linux autobinds
 * such an address).  Stores the address length in *outlen.  Returns 0 or
 * -ENAMETOOLONG. */
int csock_addr_unix(csock_sockaddr *out, const void *path, size_t len,
                    socklen_t *outlen);

/* Where the name of a returned AF_UNIX address of salen bytes is: the
 * name is sa->un.sun_path[0 .. *namelen).  For a filesystem path that is
 * up to (not including) the first NUL; for an abstract name it is every
 * byte the length covers.  Returns one of CSOCK_UNIX_* (*namelen is 0
 * for CSOCK_UNIX_UNNAMED), or -EAFNOSUPPORT for another family. */
int csock_addr_unix_name(const csock_sockaddr *sa, socklen_t salen,
                         size_t *namelen);

/* The host forms that need no resolver, for address family af (AF_INET,
 * AF_INET6 or AF_UNSPEC): "<broadcast>" and "255.255.255.255" (IPv4
 * broadcast), strict dotted-quad IPv4 and IPv6 text (inet_pton).  The
 * empty name is not handled here (it is the resolver's passive
 * wildcard).  Returns 1 with *out / *outlen filled, 0 when the name needs
 * the resolver, or -EAFNOSUPPORT when it names a broadcast address but af
 * cannot hold one. */
int csock_addr_numeric_host(const char *name, int af, csock_sockaddr *out,
                            socklen_t *outlen);

/* getaddrinfo(3) for a socket address: the first result for name in
 * family af (AF_INET, AF_INET6 or AF_UNSPEC) is copied to *out and its
 * length to *outlen.  name NULL or "" asks for the wildcard address of a
 * passive socket; *more is then set to 1 when there are several (e.g.
 * "0.0.0.0" and "::" for AF_UNSPEC), else 0.  Blocks: call without locks
 * held.  Returns 0 or an EAI_* code; for EAI_SYSTEM *sys_errno holds
 * errno (0 otherwise). */
int csock_addr_resolve(const char *name, int af, csock_sockaddr *out,
                       socklen_t *outlen, int *more, int *sys_errno);

#endif
