/*
 * sendfile.c - s.sendfile(file, offset=0, count=None) and the private
 * helpers of the stdlib's socket class that other code calls by name
 * (its tests, ssl.SSLSocket): _sendfile_use_sendfile, _sendfile_use_send,
 * _check_sendfile_params, and the _GiveupOnSendfile exception.
 *
 * sendfile() first tries the zero-copy path (sendfile(2) from the file's
 * descriptor to the socket's).  That path gives up, by raising
 * _GiveupOnSendfile, when the file has no usable descriptor or when the
 * very first sendfile(2) fails (a file type the kernel cannot read that
 * way, or a platform without it); sendfile() then falls back to reading
 * the file and sending the blocks with send().
 *
 * Every observable step follows the stdlib's (Python 3.11): the order of
 * the checks, which attributes of the file and the socket are used, the
 * messages, the file position left behind (also when an exception
 * escapes, as the stdlib's finally clauses do), and the exception chain
 * (__context__) its try/except blocks produce.
 *
 * Subclasses: the stdlib's methods call self.fileno(), self.gettimeout(),
 * self.send(), self._check_sendfile_params(), ... as Python methods, and
 * ssl.SSLSocket relies on that (its send() encrypts).  For an instance of
 * a subclass we call them the same way; for an exact csocket.socket we go
 * to the object's fields and the C functions directly, which gives the
 * same results without the method calls.
 */
#include "state.h"
#include "args.h"
#include "csock/sendfile.h"

#include <errno.h>
#include <limits.h>

/* The stdlib sends at most 1 GiB per sendfile(2) call without a count
 * (bpo-38319: larger values overflowed on some platforms). */
#define SENDFILE_BLOCK_MAX ((Py_ssize_t)1 << 30)

/* Read size of the send() fallback, as the stdlib's. */
#define SEND_BLOCK 8192

/* How far set_context() follows a __context__ chain before giving up;
 * real chains are a handful of links long. */
#define CONTEXT_WALK_MAX 1000

/* True for an exact csocket.socket, false for an instance of a subclass
 * (whose Python-level methods we then call, as the stdlib does). */
static int
is_exact(PyObject *self)
{
    return Py_IS_TYPE(self, ((csocket_socket *)self)->state->socket_type);
}

/* ------------------------------------------------------------------ */
/* Exceptions: taking, restoring and chaining them                      */

/*
 * Chain the pending exception to context (a reference that is stolen),
 * as Python does for an exception raised inside an except or finally
 * block that handles context.  The link goes at the far end of the
 * pending exception's own chain: in Python, the first exception raised
 * while context was being handled got it as __context__, and the later
 * ones got that first one.  Nothing changes when the chain already leads
 * to context.
 */
static void
set_context(PyObject *context)
{
    PyObject *exc = csocket_take_exception();
    PyObject *link;
    int steps = 0;

    if (exc == NULL) {
        /* Nothing pending: context is the exception to report. */
        csocket_give_exception(context);
        return;
    }
    link = Py_NewRef(exc);
    while (link != context && steps++ < CONTEXT_WALK_MAX) {
        PyObject *next = PyException_GetContext(link);

        if (next == NULL) {
            PyException_SetContext(link, Py_NewRef(context));
            break;
        }
        Py_DECREF(link);
        link = next;
    }
    Py_DECREF(link);
    Py_DECREF(context);
    csocket_give_exception(exc);
}

/* Replace the pending exception err (an OSError, AttributeError, ...)
 * with _GiveupOnSendfile(err), raised while handling err. */
static void
raise_giveup(csocket_state *st)
{
    PyObject *err = csocket_take_exception();
    PyObject *giveup;

    if (err == NULL) {
        return;
    }
    giveup = PyObject_CallOneArg(st->giveup_on_sendfile, err);
    if (giveup != NULL) {
        csocket_give_exception(giveup);
    }
    set_context(err);
}

/* Does the pending exception come from file.fileno() not being there
 * (AttributeError) or not being supported (io.UnsupportedOperation)?
 * Returns 1, 0, or -1 when io cannot be imported (exception replaced). */
static int
fileno_unsupported(void)
{
    PyObject *io, *unsupported;
    int r;

    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
        return 1;
    }
    if (!PyErr_ExceptionMatches(PyExc_OSError)) {
        /* io.UnsupportedOperation derives from OSError (and ValueError):
         * nothing else can match it. */
        return 0;
    }
    {
        PyObject *pending = csocket_take_exception();

        io = PyImport_ImportModule("io");
        unsupported = io == NULL ? NULL
                      : PyObject_GetAttrString(io, "UnsupportedOperation");
        Py_XDECREF(io);
        if (unsupported == NULL) {
            set_context(pending);
            return -1;
        }
        csocket_give_exception(pending);
    }
    r = PyErr_ExceptionMatches(unsupported);
    Py_DECREF(unsupported);
    return r;
}

/* getattr(obj, name) that tells a missing attribute apart: 1 with *out
 * set, 0 when obj has no such attribute (AttributeError swallowed, as
 * getattr() with a default and hasattr() do), -1 on another error. */
static int
lookup_attr(PyObject *obj, const char *name, PyObject **out)
{
    *out = PyObject_GetAttrString(obj, name);
    if (*out != NULL) {
        return 1;
    }
    if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
        PyErr_Clear();
        return 0;
    }
    return -1;
}

/*
 * The stdlib's finally clause: when something was sent and the file has
 * a seek attribute, file.seek(position), where position is base + delta
 * (base NULL: delta alone).  It runs whether or not an exception is
 * pending; an exception it raises replaces the pending one, which becomes
 * part of its context.  Returns 0, or -1 with an exception set.
 */
static int
finally_seek(PyObject *file, long long total, PyObject *base,
             long long delta)
{
    PyObject *pending, *seek = NULL, *pos = NULL, *res = NULL;
    int found, failed;

    if (total <= 0) {
        return PyErr_Occurred() ? -1 : 0;
    }
    pending = csocket_take_exception();
    found = lookup_attr(file, "seek", &seek);
    if (found > 0) {
        pos = PyLong_FromLongLong(delta);
        if (pos != NULL && base != NULL) {
            Py_SETREF(pos, PyNumber_Add(base, pos));
        }
        if (pos != NULL) {
            res = PyObject_CallOneArg(seek, pos);
        }
    }
    failed = found < 0 || (found > 0 && res == NULL);
    Py_XDECREF(res);
    Py_XDECREF(pos);
    Py_XDECREF(seek);
    if (pending != NULL) {
        if (failed) {
            set_context(pending);
        }
        else {
            csocket_give_exception(pending);
        }
        return -1;
    }
    return failed ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Arguments                                                            */

/*
 * The parameter lists (file, offset=0, count=None) of the stdlib's
 * Python methods: csocket_pyfunc_args() gives the interpreter's messages
 * for them ("socket.sendfile() missing 1 required positional argument:
 * 'file'").
 */
static const char *const foc_names[] = {"file", "offset", "count"};
static const csocket_pysig sendfile_sig = {
    "socket.sendfile", foc_names, 3, 1, 0, 1};
static const csocket_pysig use_sendfile_sig = {
    "socket._sendfile_use_sendfile", foc_names, 3, 1, 0, 1};
static const csocket_pysig use_send_sig = {
    "socket._sendfile_use_send", foc_names, 3, 1, 0, 1};

/* ------------------------------------------------------------------ */
/* The socket's view: fd, timeout, type                                 */

/* An fd from a Python object, as os functions convert theirs (index
 * protocol, C int range).  Returns 0 or -1. */
static int
fd_from_object(PyObject *obj, int *fd)
{
    PyObject *idx = PyNumber_Index(obj);
    long v;

    if (idx == NULL) {
        return -1;
    }
    v = PyLong_AsLong(idx);
    Py_DECREF(idx);
    if (v == -1 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
            return -1;
        }
        PyErr_Clear();
        v = LONG_MAX;
    }
    if (v > INT_MAX || v < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
        return -1;
    }
    *fd = (int)v;
    return 0;
}

/* self.fileno(). */
static int
socket_fileno(PyObject *self, int *fd)
{
    PyObject *r;
    int rc;

    if (is_exact(self)) {
        *fd = ((csocket_socket *)self)->fd;
        return 0;
    }
    r = PyObject_CallMethod(self, "fileno", NULL);
    if (r == NULL) {
        return -1;
    }
    rc = fd_from_object(r, fd);
    Py_DECREF(r);
    return rc;
}

/* self.gettimeout() in nanoseconds (-1: None, 0: non-blocking). */
static int
socket_timeout(PyObject *self, int64_t *ns)
{
    PyObject *r;
    int rc;

    if (is_exact(self)) {
        *ns = ((csocket_socket *)self)->timeout_ns;
        return 0;
    }
    r = PyObject_CallMethod(self, "gettimeout", NULL);
    if (r == NULL) {
        return -1;
    }
    rc = csocket_timeout_from_object(r, ns);
    Py_DECREF(r);
    return rc;
}

/* self.type & SOCK_STREAM: 1, 0, or -1 on error.  The stdlib tests the
 * bit, so SOCK_SEQPACKET (5) and SOCK_RAW (3) pass and SOCK_DGRAM (2)
 * does not. */
static int
socket_is_stream(PyObject *self)
{
    PyObject *type, *bit, *and;
    int r;

    if (is_exact(self)) {
        return (((csocket_socket *)self)->type & SOCK_STREAM) != 0;
    }
    type = PyObject_GetAttrString(self, "type");
    if (type == NULL) {
        return -1;
    }
    bit = PyLong_FromLong(SOCK_STREAM);
    and = bit == NULL ? NULL : PyNumber_And(type, bit);
    Py_XDECREF(bit);
    Py_DECREF(type);
    if (and == NULL) {
        return -1;
    }
    r = PyObject_IsTrue(and);
    Py_DECREF(and);
    return r;
}

/* Wait until fd is writable, for at most timeout_ns (< 0: forever): the
 * stdlib's per-wait timeout.  Signal handlers run on EINTR (PEP 475) and
 * the wait goes on with the time that is left.  Returns 0, or -1 with an
 * exception set (timeout, OSError, or a handler's exception). */
static int
wait_writable(csocket_state *st, int fd, int64_t timeout_ns)
{
    int64_t deadline = 0;

    if (fd < 0) {
        /* Closed by another thread meanwhile: poll() would ignore it and
         * wait forever. */
        csocket_set_errno(EBADF);
        return -1;
    }
    if (timeout_ns > 0) {
        deadline = csock_monotonic_ns() + timeout_ns;
    }
    for (;;) {
        int64_t remaining = -1;
        int w;

        if (timeout_ns > 0) {
            remaining = deadline - csock_monotonic_ns();
            if (remaining < 0) {
                remaining = 0;
            }
        }
        Py_BEGIN_ALLOW_THREADS
        w = csock_wait(fd, 1, remaining);
        Py_END_ALLOW_THREADS
        if (w > 0) {
            return 0;
        }
        if (w == 0) {
            csocket_set_timeout(st);
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

/* ------------------------------------------------------------------ */
/* _check_sendfile_params                                               */

/* The checks themselves, in the stdlib's order. */
static int
check_params_impl(PyObject *self, PyObject *file, PyObject *count)
{
    PyObject *mode, *b;
    int found, r;

    /* 'b' not in getattr(file, 'mode', 'b'): whatever `in` does with the
     * mode object (TypeError for an int, ...) happens here too. */
    found = lookup_attr(file, "mode", &mode);
    if (found < 0) {
        return -1;
    }
    if (found) {
        b = PyUnicode_FromString("b");
        if (b == NULL) {
            Py_DECREF(mode);
            return -1;
        }
        r = PySequence_Contains(mode, b);
        Py_DECREF(b);
        Py_DECREF(mode);
        if (r < 0) {
            return -1;
        }
        if (r == 0) {
            PyErr_SetString(PyExc_ValueError,
                            "file should be opened in binary mode");
            return -1;
        }
    }
    r = socket_is_stream(self);
    if (r < 0) {
        return -1;
    }
    if (r == 0) {
        PyErr_SetString(PyExc_ValueError,
                        "only SOCK_STREAM type sockets are supported");
        return -1;
    }
    if (count != NULL && count != Py_None) {
        PyObject *zero;

        /* isinstance(count, int): bool passes (True is a count of 1). */
        if (!PyLong_Check(count)) {
            PyErr_Format(PyExc_TypeError,
                         "count must be a positive integer (got %R)", count);
            return -1;
        }
        zero = PyLong_FromLong(0);
        if (zero == NULL) {
            return -1;
        }
        r = PyObject_RichCompareBool(count, zero, Py_LE);
        Py_DECREF(zero);
        if (r < 0) {
            return -1;
        }
        if (r) {
            PyErr_Format(PyExc_ValueError,
                         "count must be a positive integer (got %R)", count);
            return -1;
        }
    }
    return 0;
}

/* self._check_sendfile_params(file, offset, count), through the method
 * for subclasses (which may override it). */
static int
check_params(PyObject *self, PyObject *file, PyObject *offset,
             PyObject *count)
{
    PyObject *r;

    if (is_exact(self)) {
        return check_params_impl(self, file, count);
    }
    r = PyObject_CallMethod(self, "_check_sendfile_params", "OOO", file,
                            offset, count);
    if (r == NULL) {
        return -1;
    }
    Py_DECREF(r);
    return 0;
}

/* s._check_sendfile_params(file, offset, count) */
PyObject *
csocket_sock_check_sendfile_params(PyObject *self, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    static const csocket_pysig sig = {
        "socket._check_sendfile_params", foc_names, 3, 3, 0, 1};
    PyObject *a[3];

    if (csocket_pyfunc_args(&sig, args, nargs, kwnames, a) < 0) {
        return NULL;
    }
    if (check_params_impl(self, a[0], a[2]) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* Is count given (not None, not false)?  The stdlib tests `if count:`
 * after the checks, so only a subclass's own checks can let a false
 * value through; it then means "no count".  Returns 1, 0 or -1. */
static int
count_given(PyObject *count)
{
    if (count == NULL || count == Py_None) {
        return 0;
    }
    return PyObject_IsTrue(count);
}

/* ------------------------------------------------------------------ */
/* _sendfile_use_sendfile                                               */

/* The zero-copy path: sendfile(2) in a loop until count bytes (or the
 * whole file from offset) went out.  offset_obj and count_obj are the
 * caller's objects (count_obj None for "to the end"). */
static PyObject *
use_sendfile_impl(PyObject *self, PyObject *file, PyObject *offset_obj,
                  PyObject *count_obj)
{
    csocket_state *st = ((csocket_socket *)self)->state;
    PyObject *r;
    csocket_socket *sock;
    int sockfd, filefd, has_count, held;
    int64_t fsize, timeout, offset;
    Py_ssize_t count = 0, blocksize;
    long long total = 0;

    if (check_params(self, file, offset_obj, count_obj) < 0) {
        return NULL;
    }
    if (socket_fileno(self, &sockfd) < 0) {
        return NULL;
    }
    /* No usable descriptor (BytesIO, a wrapper without fileno, ...):
     * give up, send() will do. */
    r = PyObject_CallMethod(file, "fileno", NULL);
    if (r == NULL) {
        int unsupported = fileno_unsupported();

        if (unsupported > 0) {
            raise_giveup(st);
        }
        return NULL;
    }
    if (fd_from_object(r, &filefd) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    Py_DECREF(r);
    {
        int rc = csock_file_size(filefd, &fsize);

        if (rc < 0) {
            csocket_set_core_error(rc);
            raise_giveup(st);
            return NULL;
        }
    }
    /* An empty file - or a pipe, a socket, a tty, whose size fstat()
     * reports as 0 - sends nothing; the stdlib returns 0 before it looks
     * at the socket's mode. */
    if (fsize == 0) {
        return PyLong_FromLong(0);
    }
    has_count = count_given(count_obj);
    if (has_count < 0) {
        return NULL;
    }
    if (socket_timeout(self, &timeout) < 0) {
        return NULL;
    }
    if (timeout == 0) {
        PyErr_SetString(PyExc_ValueError,
                        "non-blocking sockets are not supported");
        return NULL;
    }
    if (sockfd < 0) {
        /* A closed socket: the stdlib's selector refuses the fd. */
        PyErr_Format(PyExc_ValueError, "Invalid file descriptor: %d",
                     sockfd);
        return NULL;
    }
    /* offset and count are converted as os.sendfile() converts them:
     * the index protocol, off_t and ssize_t ranges, OverflowError. */
    {
        PyObject *idx = PyNumber_Index(offset_obj);

        if (idx == NULL) {
            return NULL;
        }
        if (sizeof(off_t) == sizeof(long)) {
            offset = PyLong_AsLong(idx);
        }
        else {
            offset = PyLong_AsLongLong(idx);
        }
        Py_DECREF(idx);
        if (offset == -1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    if (has_count) {
        PyObject *idx = PyNumber_Index(count_obj);

        if (idx == NULL) {
            return NULL;
        }
        count = PyLong_AsSsize_t(idx);
        Py_DECREF(idx);
        if (count == -1 && PyErr_Occurred()) {
            return NULL;
        }
    }
    blocksize = fsize < SENDFILE_BLOCK_MAX ? (Py_ssize_t)fsize
                                           : SENDFILE_BLOCK_MAX;
    /* Hold the descriptor for the whole transfer (state.h): a close()
     * from another thread wakes a blocked sendfile(2), and the number
     * stays ours until we are done.  (A subclass whose fileno() names
     * another descriptor is on its own, as with the stdlib.) */
    sock = (csocket_socket *)self;
    held = sockfd == csocket_fd_hold(sock);
    for (;;) {
        Py_ssize_t want = blocksize;
        ssize_t n;

        if (held && sock->fd != sockfd) {
            csocket_set_errno(EBADF);
            goto error;
        }
        if (has_count) {
            want = count - (Py_ssize_t)total;
            if (want <= 0) {
                break;
            }
            if (want > SENDFILE_BLOCK_MAX) {
                want = SENDFILE_BLOCK_MAX;
            }
        }
        Py_BEGIN_ALLOW_THREADS
        n = csock_sendfile(sockfd, filefd, &offset, (size_t)want);
        Py_END_ALLOW_THREADS
        if (held && sock->fd != sockfd) {
            /* A close() from another thread woke or ended the call. */
            if (n > 0) {
                total += n;
            }
            csocket_set_errno(EBADF);
            goto error;
        }
        if (n > 0) {
            total += n;
            /* A signal that arrived during a long transfer shortens it
             * instead of interrupting it: run the handlers now, as the
             * interpreter does between the stdlib's loop iterations. */
            if (PyErr_CheckSignals() < 0) {
                goto error;
            }
            continue;
        }
        if (n == 0) {
            break;      /* end of file */
        }
        if (n == -EINTR) {
            if (PyErr_CheckSignals() < 0) {
                goto error;
            }
            continue;
        }
        if (csocket_would_block(n)) {
            /* A full socket buffer; the socket's timeout applies to each
             * wait, not to the whole transfer. */
            if (wait_writable(st, sockfd, timeout) < 0) {
                goto error;
            }
            continue;
        }
        csocket_set_core_error(n);
        if (total == 0) {
            /* The kernel cannot do it for this file or socket at all:
             * give up, the caller falls back to send(). */
            raise_giveup(st);
        }
        else {
            /* A failure half-way (the peer went away, ...) is the
             * caller's to see; the stdlib raises it "from None". */
            PyObject *exc = csocket_take_exception();

            PyException_SetCause(exc, NULL);
            csocket_give_exception(exc);
        }
        goto error;
    }
    csocket_fd_drop(sock);
    if (finally_seek(file, total, NULL, offset) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(total);

error:
    csocket_fd_drop(sock);
    finally_seek(file, total, NULL, offset);
    return NULL;
}

/* The Python-level entry points share one shape: parse (file, offset=0,
 * count=None), fill in the defaults, call the implementation. */
typedef PyObject *(*offset_count_impl)(PyObject *self, PyObject *file,
                                       PyObject *offset, PyObject *count);

static PyObject *
call_with_offset_count(const csocket_pysig *sig, offset_count_impl impl,
                       PyObject *self, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *a[3], *zero, *res;

    if (csocket_pyfunc_args(sig, args, nargs, kwnames, a) < 0) {
        return NULL;
    }
    zero = PyLong_FromLong(0);
    if (zero == NULL) {
        return NULL;
    }
    res = impl(self, a[0], a[1] ? a[1] : zero, a[2] ? a[2] : Py_None);
    Py_DECREF(zero);
    return res;
}

/* s._sendfile_use_sendfile(file, offset=0, count=None) -> int */
PyObject *
csocket_sock_sendfile_use_sendfile(PyObject *self, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    return call_with_offset_count(&use_sendfile_sig, use_sendfile_impl, self,
                                  args, nargs, kwnames);
}

/* ------------------------------------------------------------------ */
/* _sendfile_use_send                                                   */

/* Send all of buf with the exact type's send().  BlockingIOError (a
 * socket in blocking mode whose descriptor was made non-blocking behind
 * its back) means "try again"; the stdlib spins, we wait for room.
 * Returns 0 when all of buf went out, or -1 with an exception set; in
 * both cases *sent holds the bytes that went out. */
static int
send_all_exact(csocket_socket *s, const char *buf, Py_ssize_t len,
               Py_ssize_t *sent)
{
    *sent = 0;
    while (*sent < len) {
        Py_ssize_t n = csocket_sock_send_raw(s, buf + *sent, len - *sent,
                                             0);

        if (n < 0) {
            if (!PyErr_ExceptionMatches(PyExc_BlockingIOError)) {
                return -1;
            }
            PyErr_Clear();
            if (wait_writable(s->state, s->fd, -1) < 0) {
                return -1;
            }
            continue;
        }
        *sent += n;
    }
    return 0;
}

/* Send all of the memoryview data with a subclass's send(), re-sending
 * the rest after a partial send as the stdlib does.  *total grows by
 * what send() reports, also when a later call fails.  Returns 0 / -1. */
static int
send_all_method(PyObject *send, PyObject *data, long long *total)
{
    PyObject *chunk = Py_NewRef(data);

    for (;;) {
        PyObject *r = PyObject_CallOneArg(send, chunk);
        Py_ssize_t sent, len;

        if (r == NULL) {
            if (!PyErr_ExceptionMatches(PyExc_BlockingIOError)) {
                goto error;
            }
            PyErr_Clear();
            /* Retry, as the stdlib; let Ctrl-C through meanwhile. */
            if (PyErr_CheckSignals() < 0) {
                goto error;
            }
            continue;
        }
        if (csocket_as_ssize(r, &sent) < 0) {
            Py_DECREF(r);
            goto error;
        }
        Py_DECREF(r);
        *total += sent;
        len = PyObject_Length(chunk);
        if (len < 0) {
            goto error;
        }
        if (sent >= len) {
            break;
        }
        Py_SETREF(chunk, PySequence_GetSlice(chunk, sent, len));
        if (chunk == NULL) {
            return -1;
        }
    }
    Py_DECREF(chunk);
    return 0;

error:
    Py_DECREF(chunk);
    return -1;
}

/* The fallback: file.read() blocks of 8192 bytes (fewer near count) and
 * send them, for files without a descriptor sendfile(2) can use. */
static PyObject *
use_send_impl(PyObject *self, PyObject *file, PyObject *offset,
              PyObject *count_obj)
{
    csocket_socket *s = (csocket_socket *)self;
    PyObject *res, *read = NULL, *send = NULL, *mv = NULL;
    int exact = is_exact(self), has_count, r;
    int64_t timeout;
    Py_ssize_t count = 0, blocksize = SEND_BLOCK;
    long long total = 0;

    if (check_params(self, file, offset, count_obj) < 0) {
        return NULL;
    }
    if (socket_timeout(self, &timeout) < 0) {
        return NULL;
    }
    if (timeout == 0) {
        PyErr_SetString(PyExc_ValueError,
                        "non-blocking sockets are not supported");
        return NULL;
    }
    /* Only a true offset moves the file: with offset 0 the stdlib sends
     * from wherever the file position is. */
    r = PyObject_IsTrue(offset);
    if (r < 0) {
        return NULL;
    }
    if (r) {
        res = PyObject_CallMethod(file, "seek", "(O)", offset);
        if (res == NULL) {
            return NULL;
        }
        Py_DECREF(res);
    }
    has_count = count_given(count_obj);
    if (has_count < 0) {
        return NULL;
    }
    if (has_count) {
        if (csocket_as_ssize(count_obj, &count) < 0) {
            /* More than can ever be sent is the same as "to the end". */
            if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
                return NULL;
            }
            PyErr_Clear();
            count = PY_SSIZE_T_MAX;
        }
        if (count < blocksize) {
            blocksize = count;
        }
    }
    read = PyObject_GetAttrString(file, "read");
    if (read == NULL) {
        return NULL;
    }
    if (!exact) {
        send = PyObject_GetAttrString(self, "send");
        if (send == NULL) {
            goto error;
        }
    }
    for (;;) {
        PyObject *data, *size;
        Py_ssize_t len;

        if (has_count) {
            long long left = (long long)count - total;

            if (left < blocksize) {
                blocksize = (Py_ssize_t)left;
            }
            if (blocksize <= 0) {
                break;
            }
        }
        size = PyLong_FromSsize_t(blocksize);
        if (size == NULL) {
            goto error;
        }
        data = PyObject_CallOneArg(read, size);
        Py_DECREF(size);
        if (data == NULL) {
            goto error;
        }
        /* memoryview(data): the stdlib's TypeError for str or None. */
        mv = PyMemoryView_FromObject(data);
        Py_DECREF(data);
        if (mv == NULL) {
            goto error;
        }
        len = PyObject_Length(mv);
        if (len < 0) {
            goto error;
        }
        if (len == 0) {
            break;      /* end of file */
        }
        if (exact) {
            Py_buffer view;
            Py_ssize_t sent;

            if (PyObject_GetBuffer(mv, &view, PyBUF_SIMPLE) < 0) {
                goto error;
            }
            r = send_all_exact(s, view.buf, view.len, &sent);
            PyBuffer_Release(&view);
            total += sent;
            if (r < 0) {
                goto error;
            }
        }
        else if (send_all_method(send, mv, &total) < 0) {
            goto error;
        }
        Py_CLEAR(mv);
    }
    Py_XDECREF(mv);
    Py_XDECREF(send);
    Py_DECREF(read);
    if (finally_seek(file, total, offset, total) < 0) {
        return NULL;
    }
    return PyLong_FromLongLong(total);

error:
    Py_XDECREF(mv);
    Py_XDECREF(send);
    Py_DECREF(read);
    finally_seek(file, total, offset, total);
    return NULL;
}

/* s._sendfile_use_send(file, offset=0, count=None) -> int */
PyObject *
csocket_sock_sendfile_use_send(PyObject *self, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    return call_with_offset_count(&use_send_sig, use_send_impl, self, args,
                                  nargs, kwnames);
}

/* ------------------------------------------------------------------ */
/* sendfile                                                             */

/* s.sendfile(file, offset=0, count=None) -> int */
PyObject *
csocket_sock_sendfile(PyObject *self, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    csocket_state *st = ((csocket_socket *)self)->state;
    PyObject *a[3], *zero, *offset, *count, *res, *giveup;
    int exact = is_exact(self);

    if (csocket_pyfunc_args(&sendfile_sig, args, nargs, kwnames, a) < 0) {
        return NULL;
    }
    zero = PyLong_FromLong(0);
    if (zero == NULL) {
        return NULL;
    }
    offset = a[1] ? a[1] : zero;
    count = a[2] ? a[2] : Py_None;
    if (exact) {
        res = use_sendfile_impl(self, a[0], offset, count);
    }
    else {
        res = PyObject_CallMethod(self, "_sendfile_use_sendfile", "OOO",
                                  a[0], offset, count);
    }
    if (res != NULL || !PyErr_ExceptionMatches(st->giveup_on_sendfile)) {
        Py_DECREF(zero);
        return res;
    }
    /* The zero-copy path does not apply: send() the file instead.  What
     * goes wrong there is raised "during handling of" the giveup, as in
     * the stdlib's except clause. */
    giveup = csocket_take_exception();
    if (exact) {
        res = use_send_impl(self, a[0], offset, count);
    }
    else {
        res = PyObject_CallMethod(self, "_sendfile_use_send", "OOO",
                                  a[0], offset, count);
    }
    if (res == NULL) {
        set_context(giveup);
    }
    else {
        Py_DECREF(giveup);
    }
    Py_DECREF(zero);
    return res;
}

/* ------------------------------------------------------------------ */

int
csocket_sendfile_init(PyObject *module, csocket_state *st)
{
    st->giveup_on_sendfile = PyErr_NewExceptionWithDoc(
        "csocket._GiveupOnSendfile",
        "Raised by _sendfile_use_sendfile() when the zero-copy path does "
        "not apply;\nsendfile() then falls back to send().",
        PyExc_Exception, NULL);
    if (st->giveup_on_sendfile == NULL) {
        return -1;
    }
    return PyModule_AddObjectRef(module, "_GiveupOnSendfile",
                                 st->giveup_on_sendfile);
}
