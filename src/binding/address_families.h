/*
 * address_families.h - the Python side of the address families beyond
 * AF_INET/AF_INET6/AF_UNIX (src/binding/address_families.c), for
 * address.c and socket_type.c.
 */
#ifndef CSOCKET_ADDRESS_FAMILIES_H
#define CSOCKET_ADDRESS_FAMILIES_H

#include "state.h"

/* Convert addr for a socket of family/proto (one that is not AF_INET,
 * AF_INET6 or AF_UNIX) into *out / *len, with the stdlib's errors: its
 * TypeError shapes, OSError("<caller>(): bad family") for a family it
 * cannot parse, "<caller>(): unsupported CAN protocol", ...  Returns 0
 * or -1 with an exception set. */
int csocket_parse_family_address(csocket_state *st, int family, int proto,
                                 PyObject *addr, csock_sockaddr *out,
                                 socklen_t *len, const char *caller);

/* The Python object for a returned address a of len bytes (len > 0) of
 * a family other than AF_INET/AF_INET6/AF_UNIX; proto is the socket's
 * protocol, which decides the form of AF_CAN addresses.  Families the
 * module does not decode give (family, sa_data bytes), as in the
 * stdlib.  Never reads past len. */
PyObject *csocket_make_family_address(const csock_sockaddr *a,
                                      socklen_t len, int proto);

/* The stdlib's getsockaddrlen(): the size of the address structure of
 * socket s's family (and protocol, for AF_BLUETOOTH), or -1 with
 * OSError("getsockaddrlen: bad family") for a family whose addresses the
 * module cannot decode (AF_XDP, AF_UNSPEC, ...) and OSError(
 * "getsockaddrlen: unknown BT protocol").  The stdlib checks this before
 * getsockname(), getpeername(), accept(), recvfrom(), recvfrom_into(),
 * recvmsg() and recvmsg_into() make their system call.  (A buffer of
 * sizeof(csock_sockaddr) is still the better one to hand the kernel:
 * the decoders never read past the returned length.) */
int csocket_getsockaddrlen(csocket_socket *s, socklen_t *len);

#endif /* CSOCKET_ADDRESS_FAMILIES_H */
