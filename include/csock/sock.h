/* Socket creation, closing, flags and options.  See csock.h for the
 * return convention (>= 0 success, -errno failure). */
#ifndef CSOCK_SOCK_H
#define CSOCK_SOCK_H

/* socket(2) with SOCK_CLOEXEC.  Returns the new fd or -errno. */
int csock_socket(int family, int type, int proto);

/* socketpair(2) with SOCK_CLOEXEC.  Returns 0 or -errno. */
int csock_socketpair(int family, int type, int proto, int fds[2]);

/* close(2).  EINTR is treated as success: on Linux the descriptor is
 * released even when close is interrupted, and retrying could close a
 * descriptor another thread has just been given.  Returns 0 or -errno. */
int csock_close(int fd);

/* dup(2) with FD_CLOEXEC set on the copy.  Returns the new fd or -errno. */
int csock_dup(int fd);

/* Set or clear O_NONBLOCK.  Returns 0 or -errno. */
int csock_set_nonblocking(int fd, int on);

/* FD_CLOEXEC as "inheritable": returns 1 (inheritable), 0, or -errno. */
int csock_get_inheritable(int fd);
int csock_set_inheritable(int fd, int inheritable);

/* getsockopt(2)/setsockopt(2).  Return 0 or -errno. */
int csock_getsockopt(int fd, int level, int opt, void *val, socklen_t *len);
int csock_setsockopt(int fd, int level, int opt, const void *val,
                     socklen_t len);

/* Read SO_DOMAIN, SO_TYPE and SO_PROTOCOL (where the platform has them)
 * of an existing socket; any out pointer may be NULL.  Returns 0 or
 * -errno (ENOTSOCK for a descriptor that is not a socket). */
int csock_query(int fd, int *family, int *type, int *proto);

/* bind(2), listen(2), shutdown(2), getsockname(2), getpeername(2).
 * Return 0 or -errno. */
int csock_bind(int fd, const struct sockaddr *sa, socklen_t len);
int csock_listen(int fd, int backlog);
int csock_shutdown(int fd, int how);
int csock_getsockname(int fd, struct sockaddr *sa, socklen_t *len);
int csock_getpeername(int fd, struct sockaddr *sa, socklen_t *len);

#endif
