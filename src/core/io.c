/*
 * io.c - one-attempt I/O system call wrappers.
 *
 * None of these loops: EINTR and EAGAIN come back as -EINTR / -EAGAIN so
 * that the binding's single call loop decides what to do (run signal
 * handlers, wait for readiness, give up at the deadline).
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE     /* accept4() */
#endif
#include "csock.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

ssize_t
csock_recv(int fd, void *buf, size_t len, int flags)
{
    ssize_t n = recv(fd, buf, len, flags);

    return n < 0 ? CSOCK_ERR(errno) : n;
}

ssize_t
csock_recvfrom(int fd, void *buf, size_t len, int flags,
               struct sockaddr *sa, socklen_t *salen)
{
    ssize_t n = recvfrom(fd, buf, len, flags, sa, salen);

    return n < 0 ? CSOCK_ERR(errno) : n;
}

ssize_t
csock_send(int fd, const void *buf, size_t len, int flags)
{
    ssize_t n = send(fd, buf, len, flags);

    return n < 0 ? CSOCK_ERR(errno) : n;
}

ssize_t
csock_sendto(int fd, const void *buf, size_t len, int flags,
             const struct sockaddr *sa, socklen_t salen)
{
    ssize_t n = sendto(fd, buf, len, flags, sa, salen);

    return n < 0 ? CSOCK_ERR(errno) : n;
}

int
csock_accept(int fd, struct sockaddr *sa, socklen_t *salen)
{
    int nfd;

#if defined(__linux__) && defined(SOCK_CLOEXEC)
    nfd = accept4(fd, sa, salen, SOCK_CLOEXEC);
#else
    nfd = accept(fd, sa, salen);
    if (nfd >= 0 && csock_set_inheritable(nfd, 0) < 0) {
        int err = errno;
        close(nfd);
        return CSOCK_ERR(err);
    }
#endif
    return nfd < 0 ? CSOCK_ERR(errno) : nfd;
}

int
csock_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
    return connect(fd, sa, len) < 0 ? CSOCK_ERR(errno) : 0;
}

int
csock_connect_result(int fd)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0) {
        return CSOCK_ERR(errno);
    }
    return err ? CSOCK_ERR(err) : 0;
}
