/* One-system-call I/O wrappers.  Each makes exactly one attempt: it never
 * loops on EINTR or EAGAIN (the binding's call loop does).  Return the
 * byte count / new fd, or -errno. */
#ifndef CSOCK_IO_H
#define CSOCK_IO_H

ssize_t csock_recv(int fd, void *buf, size_t len, int flags);
ssize_t csock_recvfrom(int fd, void *buf, size_t len, int flags,
                       struct sockaddr *sa, socklen_t *salen);
ssize_t csock_send(int fd, const void *buf, size_t len, int flags);
ssize_t csock_sendto(int fd, const void *buf, size_t len, int flags,
                     const struct sockaddr *sa, socklen_t salen);

/* accept4(2) with SOCK_CLOEXEC where available (accept + FD_CLOEXEC
 * elsewhere).  Returns the new fd or -errno. */
int csock_accept(int fd, struct sockaddr *sa, socklen_t *salen);

/* connect(2).  Returns 0 or -errno (-EINPROGRESS on a non-blocking
 * socket whose connection is under way). */
int csock_connect(int fd, const struct sockaddr *sa, socklen_t len);

/* The outcome of a finished non-blocking connect (SO_ERROR): returns 0
 * when connected, or -errno of the failure. */
int csock_connect_result(int fd);

#endif
