/*
 * call.c - the one loop that every potentially blocking socket call goes
 * through.
 *
 * The contract is the stdlib's (socket docs, "Notes on socket timeouts",
 * and PEP 475), with one deliberate difference in how it gets there: in
 * timeout mode the stdlib polls before every attempt, which costs two
 * system calls and a GIL round trip even when data is already waiting.
 * We try the call first (the descriptor is non-blocking in timeout mode)
 * and wait for readiness only when it reports EAGAIN.
 *
 * EINTR: the GIL is re-acquired, Python signal handlers run (an exception
 * they raise propagates), and the call is retried with whatever remains of
 * the deadline.
 *
 * close() from another thread: every loop holds the descriptor
 * (csocket_fd_hold) while it runs.  A close() meanwhile shuts the socket
 * down, which wakes a blocked system call or wait, marks the object
 * closed, and leaves the close(2) itself to the last holder, so the
 * number cannot go to a new socket while a call may still use it.  The
 * loop checks under the GIL after every attempt and wait, and ends with
 * EBADF (what any call on a closed socket raises) once the object has
 * lost its descriptor - closed, or detached, after which the number is
 * the caller's and not ours to touch.  The stdlib leaves such a thread
 * blocked until data arrives.
 */
#include "state.h"

#include <errno.h>

/* Has s lost the descriptor fd (held by the caller) to a close() or
 * detach() from another thread, or from a signal handler? */
static inline int
fd_lost(csocket_socket *s, int fd)
{
    return s->fd != fd;
}

static int
wait_ready_held(csocket_socket *s, int fd, int for_write,
                int64_t deadline_ns)
{
    for (;;) {
        int64_t remaining;
        int w;

        if (fd < 0 || fd_lost(s, fd)) {
            csocket_set_errno(EBADF);
            return -1;
        }
        remaining = deadline_ns - csock_monotonic_ns();
        if (remaining <= 0) {
            csocket_set_timeout(s->state);
            return -1;
        }
        Py_BEGIN_ALLOW_THREADS
        w = csock_wait(fd, for_write == CSOCKET_IO_WRITE, remaining);
        Py_END_ALLOW_THREADS
        if (fd_lost(s, fd)) {
            /* close() shut the socket down to wake us. */
            csocket_set_errno(EBADF);
            return -1;
        }
        if (w > 0) {
            return 0;
        }
        if (w == 0) {
            csocket_set_timeout(s->state);
            return -1;
        }
        if (w != -EINTR) {
            csocket_set_core_error(w);
            return -1;
        }
        if (PyErr_CheckSignals() < 0) {
            return -1;
        }
    }
}

int
csocket_wait_ready(csocket_socket *s, int for_write, int64_t deadline_ns)
{
    int fd = csocket_fd_hold(s);
    int rc = wait_ready_held(s, fd, for_write, deadline_ns);

    csocket_fd_drop(s);
    return rc;
}

static int
call_held(csocket_socket *s, int fd, int for_write, csocket_attempt_fn fn,
          void *ctx, ssize_t *result, int64_t *deadline_ns)
{
    /* Read once: the mode of the call is the mode it started in. */
    int64_t timeout = s->timeout_ns;

    for (;;) {
        ssize_t r;

        if (fd < 0 || fd_lost(s, fd)) {
            csocket_set_errno(EBADF);
            return -1;
        }
        Py_BEGIN_ALLOW_THREADS
        r = fn(fd, ctx);
        Py_END_ALLOW_THREADS
        if (r > 0 || (r == 0 && (for_write != CSOCKET_IO_READ
                                 || !fd_lost(s, fd)))) {
            /* Data moved (or a connection came) before or despite a
             * close(): the caller gets it. */
            *result = r;
            return 0;
        }
        if (fd_lost(s, fd)) {
            /* The call was woken by a close() (or failed because of it). */
            csocket_set_errno(EBADF);
            return -1;
        }
        if (r == -EINTR) {
            if (PyErr_CheckSignals() < 0) {
                return -1;
            }
            continue;
        }
        if (!csocket_would_block(r) || timeout <= 0) {
            csocket_set_core_error(r);
            return -1;
        }
        /* Timeout mode: wait (the GIL is taken back afterwards, so the
         * next attempt sees a close() made meanwhile), then try again.
         * The deadline starts with the first wait: the attempt before
         * it did not block. */
        if (*deadline_ns == 0) {
            *deadline_ns = csock_monotonic_ns() + timeout;
        }
        if (wait_ready_held(s, fd, for_write, *deadline_ns) < 0) {
            return -1;
        }
    }
}

int
csocket_call_deadline(csocket_socket *s, int for_write, csocket_attempt_fn fn,
                      void *ctx, ssize_t *result, int64_t *deadline_ns)
{
    int fd = csocket_fd_hold(s);
    int rc = call_held(s, fd, for_write, fn, ctx, result, deadline_ns);

    csocket_fd_drop(s);
    return rc;
}

int
csocket_call(csocket_socket *s, int for_write, csocket_attempt_fn fn,
             void *ctx, ssize_t *result)
{
    int64_t deadline = 0;

    return csocket_call_deadline(s, for_write, fn, ctx, result, &deadline);
}

/* Wait for a connection under way to finish and fetch its outcome.
 * Returns 0 (connected), a positive errno (failed), or -1 with an
 * exception set (a signal handler raised, or the timeout expired and
 * raise_timeout is set). */
static int
finish_connect(csocket_socket *s, int fd, int raise_timeout)
{
    int64_t timeout = s->timeout_ns;
    int64_t deadline = timeout > 0 ? csock_monotonic_ns() + timeout : 0;

    for (;;) {
        int64_t remaining = -1;
        int w, r = 0;

        if (fd_lost(s, fd)) {
            return EBADF;
        }
        if (timeout > 0) {
            remaining = deadline - csock_monotonic_ns();
            if (remaining < 0) {
                remaining = 0;
            }
        }
        Py_BEGIN_ALLOW_THREADS
        w = csock_wait(fd, 1, remaining);
        if (w > 0) {
            r = csock_connect_result(fd);
        }
        Py_END_ALLOW_THREADS
        if (fd_lost(s, fd)) {
            return EBADF;       /* woken by a close() */
        }
        if (w == 0) {
            if (raise_timeout) {
                csocket_set_timeout(s->state);
                return -1;
            }
            return EWOULDBLOCK;
        }
        if (w < 0 || r == -EINTR) {
            int err = w < 0 ? -w : EINTR;
            if (err != EINTR) {
                return err;
            }
            if (PyErr_CheckSignals() < 0) {
                return -1;
            }
            continue;
        }
        /* A socket that is already connected reports EISCONN: success. */
        if (r == -EISCONN) {
            return 0;
        }
        return -r;
    }
}

static int
connect_held(csocket_socket *s, int fd, const struct sockaddr *sa,
             socklen_t len, int raise_error)
{
    int r, err, wait;

    if (fd < 0) {
        err = EBADF;
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_connect(fd, sa, len);
    Py_END_ALLOW_THREADS
    if (r == 0) {
        return 0;
    }
    err = -r;
    if (fd_lost(s, fd)) {
        err = EBADF;
        goto done;
    }
    if (err == EINTR) {
        if (PyErr_CheckSignals() < 0) {
            return -1;
        }
        /* An interrupted connect goes on in the kernel and cannot be
         * restarted; a blocking or timeout socket waits for it to finish
         * (PEP 475), a non-blocking one reports the EINTR. */
        wait = s->timeout_ns != 0;
    }
    else {
        wait = s->timeout_ns > 0 && err == EINPROGRESS;
    }
    if (wait) {
        err = finish_connect(s, fd, raise_error);
        if (err < 0) {
            return -1;
        }
    }
done:
    if (err != 0 && raise_error) {
        csocket_set_errno(err);
        return -1;
    }
    return err;
}

int
csocket_connect_impl(csocket_socket *s, const struct sockaddr *sa,
                     socklen_t len, int raise_error)
{
    int fd = csocket_fd_hold(s);
    int rc = connect_held(s, fd, sa, len, raise_error);

    csocket_fd_drop(s);
    return rc;
}
