/*
 * csock.h - the plain-POSIX core of csocket.
 *
 * The core knows nothing of Python.  It is a set of thin, one-concern
 * wrappers around the socket system calls that the binding layer (the only
 * code that includes Python.h) builds on, and that C programs, C tests and
 * fuzzers can use directly.
 *
 * Return convention (libuv's UV__ERR): every function returns int or
 * ssize_t; a value >= 0 is success, a negative value is -errno.  Resolver
 * functions (see csock/resolve.h) return EAI_* codes instead, kept apart
 * from errno (musl's contract).  The core never loops on EINTR: it returns
 * -EINTR so that the caller (the binding) can run Python signal handlers
 * before it retries.
 */
#ifndef CSOCK_H
#define CSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/un.h>

/* A buffer large enough for any socket address the core handles. */
typedef union csock_sockaddr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
    struct sockaddr_un un;
    struct sockaddr_storage storage;
} csock_sockaddr;

/* Translate errno into the core's return convention. */
#define CSOCK_ERR(e) (-(e))

#include "csock/sock.h"
#include "csock/io.h"
#include "csock/wait.h"
#include "csock/addr.h"
#include "csock/inet.h"
#include "csock/resolve.h"
#include "csock/sendfile.h"
#include "csock/msg.h"

#endif /* CSOCK_H */
