/*
 * sock.c - socket creation, closing, descriptor flags and options.
 *
 * Each function makes one system call (two where a flag must be read
 * before it is changed) and returns >= 0 or -errno; see csock.h.
 */
#include "csock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int
csock_socket(int family, int type, int proto)
{
    int fd;

#ifdef SOCK_CLOEXEC
    fd = socket(family, type | SOCK_CLOEXEC, proto);
    if (fd >= 0) {
        return fd;
    }
    /* Kernels older than 2.6.27 reject the flag with EINVAL; fall back
     * to setting FD_CLOEXEC after the fact. */
    if (errno != EINVAL) {
        return CSOCK_ERR(errno);
    }
#endif
    fd = socket(family, type, proto);
    if (fd < 0) {
        return CSOCK_ERR(errno);
    }
    if (csock_set_inheritable(fd, 0) < 0) {
        int err = errno;
        close(fd);
        return CSOCK_ERR(err);
    }
    return fd;
}

int
csock_socketpair(int family, int type, int proto, int fds[2])
{
#ifdef SOCK_CLOEXEC
    if (socketpair(family, type | SOCK_CLOEXEC, proto, fds) == 0) {
        return 0;
    }
    if (errno != EINVAL) {
        return CSOCK_ERR(errno);
    }
#endif
    if (socketpair(family, type, proto, fds) < 0) {
        return CSOCK_ERR(errno);
    }
    if (csock_set_inheritable(fds[0], 0) < 0 ||
        csock_set_inheritable(fds[1], 0) < 0) {
        int err = errno;
        close(fds[0]);
        close(fds[1]);
        return CSOCK_ERR(err);
    }
    return 0;
}

int
csock_close(int fd)
{
    if (close(fd) < 0 && errno != EINTR) {
        return CSOCK_ERR(errno);
    }
    return 0;
}

int
csock_dup(int fd)
{
    int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);

    if (nfd < 0) {
        return CSOCK_ERR(errno);
    }
    return nfd;
}

int
csock_set_nonblocking(int fd, int on)
{
    int flags = fcntl(fd, F_GETFL);
    int nflags;

    if (flags < 0) {
        return CSOCK_ERR(errno);
    }
    nflags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
    /* Skip the second system call when nothing changes. */
    if (nflags != flags && fcntl(fd, F_SETFL, nflags) < 0) {
        return CSOCK_ERR(errno);
    }
    return 0;
}

int
csock_get_inheritable(int fd)
{
    int flags = fcntl(fd, F_GETFD);

    if (flags < 0) {
        return CSOCK_ERR(errno);
    }
    return (flags & FD_CLOEXEC) ? 0 : 1;
}

int
csock_set_inheritable(int fd, int inheritable)
{
    int flags = fcntl(fd, F_GETFD);
    int nflags;

    if (flags < 0) {
        return CSOCK_ERR(errno);
    }
    nflags = inheritable ? (flags & ~FD_CLOEXEC) : (flags | FD_CLOEXEC);
    if (nflags != flags && fcntl(fd, F_SETFD, nflags) < 0) {
        return CSOCK_ERR(errno);
    }
    return 0;
}

int
csock_getsockopt(int fd, int level, int opt, void *val, socklen_t *len)
{
    if (getsockopt(fd, level, opt, val, len) < 0) {
        return CSOCK_ERR(errno);
    }
    return 0;
}

int
csock_setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
    if (setsockopt(fd, level, opt, val, len) < 0) {
        return CSOCK_ERR(errno);
    }
    return 0;
}

int
csock_query(int fd, int *family, int *type, int *proto)
{
    int v;
    socklen_t len;

    if (family != NULL) {
#ifdef SO_DOMAIN
        len = sizeof(v);
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) < 0) {
            return CSOCK_ERR(errno);
        }
        *family = v;
#else
        /* Without SO_DOMAIN the family is read from the local address. */
        csock_sockaddr sa;
        len = sizeof(sa);
        if (getsockname(fd, &sa.sa, &len) < 0) {
            return CSOCK_ERR(errno);
        }
        *family = sa.sa.sa_family;
#endif
    }
    if (type != NULL) {
        len = sizeof(v);
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) < 0) {
            return CSOCK_ERR(errno);
        }
        *type = v;
    }
    if (proto != NULL) {
#ifdef SO_PROTOCOL
        len = sizeof(v);
        if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) < 0) {
            return CSOCK_ERR(errno);
        }
        *proto = v;
#else
        *proto = 0;
#endif
    }
    return 0;
}

int
csock_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
    return bind(fd, sa, len) < 0 ? CSOCK_ERR(errno) : 0;
}

int
csock_listen(int fd, int backlog)
{
    return listen(fd, backlog) < 0 ? CSOCK_ERR(errno) : 0;
}

int
csock_shutdown(int fd, int how)
{
    return shutdown(fd, how) < 0 ? CSOCK_ERR(errno) : 0;
}

int
csock_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
    return getsockname(fd, sa, len) < 0 ? CSOCK_ERR(errno) : 0;
}

int
csock_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
    return getpeername(fd, sa, len) < 0 ? CSOCK_ERR(errno) : 0;
}
