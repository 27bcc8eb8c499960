/*
 * reader.c - the buffered reader behind makefile('rb') and makefile('r').
 *
 * The stdlib's makefile() puts an io.BufferedReader over the raw
 * SocketIO.  Its readline() asks the raw object for its `closed`
 * attribute on every call, and every fill goes through a Python method
 * call with a fresh memoryview.  This type is a C subclass of
 * io.BufferedReader (isinstance() answers as for the stdlib's object,
 * and its repr is the stdlib's) that keeps its own buffer and reads the
 * SocketIO and the socket directly.
 *
 * Every method that touches buffered data is ours: read, read1,
 * readinto, readinto1, readline, peek, iteration (readlines() comes from
 * io and iterates), close and detach (which also drop our buffer),
 * __sizeof__ and __repr__.  io's own BufferedReader underneath is
 * initialised with a one-byte buffer it never fills, and still serves
 * what does not depend on buffered data: raw, name, mode, closed,
 * fileno, isatty, readable, seekable, flush, seek and tell (which raise
 * for a socket, whose raw stream is not seekable), pickling refusal and
 * the finalizer's close with its ResourceWarning.  The raw stream must
 * be a csocket.SocketIO (or a subclass): never seekable, so positions
 * never need our buffer's help.
 *
 * The semantics are io.BufferedReader's, call by call: how many raw
 * reads each method issues (and so when it may block), None and short
 * results from a non-blocking socket, data left readable in the buffer
 * after the raw stream closed, "reentrant call" from the thread that is
 * already inside, other threads waiting their turn.  Like io's, the
 * paths that only copy out of the buffer run without the lock (nothing
 * in them can run Python code or release the GIL); they step aside to
 * the locked path while another thread is inside.
 */
#include "state.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#ifndef DEFAULT_BUFFER_SIZE
#define DEFAULT_BUFFER_SIZE 8192        /* io.DEFAULT_BUFFER_SIZE */
#endif

/* Our fields, placed after io's BufferedReader instance, whose size is
 * only known at run time (rd_offset). */
typedef struct {
    PyObject *raw;              /* the raw stream; NULL unless ok */
    char *buf;                  /* NULL before __init__ and after close */
    Py_ssize_t size;            /* buffer_size */
    Py_ssize_t pos;             /* next byte to hand out */
    Py_ssize_t end;             /* just past the last buffered byte */
    PyThread_type_lock lock;
    unsigned long owner;        /* thread inside the locked path, or 0 */
    char ok;                    /* initialised, not detached */
    char detached;
    char eager;                 /* the last fill filled the buffer */
} rd_fields;

/* Offset of rd_fields in an instance: io's BufferedReader size, rounded
 * up.  The same for every interpreter of the process (one io build). */
static Py_ssize_t rd_offset;

#define RD(op) ((rd_fields *)((char *)(op) + rd_offset))

static void rd_dealloc(PyObject *op);

/* io's BufferedReader: our type's base. */
static PyTypeObject *
rd_base(PyObject *op)
{
    return csocket_type_below(op, rd_dealloc);
}

/* ---- state checks -------------------------------------------------- */

/* io's CHECK_INITIALIZED.  0 / -1. */
static int
rd_check_ok(rd_fields *r)
{
    if (r->ok) {
        return 0;
    }
    PyErr_SetString(PyExc_ValueError,
                    r->detached ? "raw stream has been detached"
                                : "I/O operation on uninitialized object");
    return -1;
}

/* io's CHECK_CLOSED: an error only when closed *and* nothing is left in
 * the buffer (data read before the raw stream closed stays readable).
 * 0 / -1. */
static int
rd_check_closed(rd_fields *r, const char *msg)
{
    int closed = r->buf == NULL ? 1 : csocket_sio_closed(r->raw);

    if (closed < 0) {
        return -1;
    }
    if (closed && r->end == r->pos) {
        PyErr_SetString(PyExc_ValueError, msg);
        return -1;
    }
    return 0;
}

/* ---- the lock ------------------------------------------------------ */

static int
rd_is_finalizing(void)
{
#if PY_VERSION_HEX >= 0x030D0000
    return Py_IsFinalizing();
#else
    return _Py_IsFinalizing();
#endif
}

/* Enter the locked path.  0 / -1 (a reentrant call from the thread that
 * is already inside, which would deadlock, raises RuntimeError). */
static int
rd_enter(PyObject *self, rd_fields *r)
{
    if (!PyThread_acquire_lock(r->lock, 0)) {
        PyLockStatus st;
        int finalizing;

        if (r->owner == PyThread_get_thread_ident()) {
            PyErr_Format(PyExc_RuntimeError, "reentrant call inside %R",
                         self);
            return -1;
        }
        /* At shutdown a daemon thread may have died holding the lock:
         * wait a grace period only. */
        finalizing = rd_is_finalizing();
        Py_BEGIN_ALLOW_THREADS
        st = finalizing ? PyThread_acquire_lock_timed(r->lock, 1000000, 0)
                        : PyThread_acquire_lock_timed(r->lock, -1, 0);
        Py_END_ALLOW_THREADS
        if (st != PY_LOCK_ACQUIRED) {
            PyErr_Format(PyExc_RuntimeError,
                         "could not acquire lock for %R at interpreter "
                         "shutdown, possibly due to daemon threads", self);
            return -1;
        }
    }
    r->owner = PyThread_get_thread_ident();
    return 0;
}

static void
rd_leave(rd_fields *r)
{
    r->owner = 0;
    PyThread_release_lock(r->lock);
}

/* ---- raw reads ----------------------------------------------------- */

/* Is the exception an OSError with errno EINTR?  Then clear it: 1. */
static int
rd_trap_eintr(void)
{
    return csocket_clear_oserror(EINTR, EINTR);
}

/* raw.readinto(memoryview) for a raw stream we cannot read directly (a
 * subclass, or a socket subclass underneath), with io's checks of the
 * answer. */
static Py_ssize_t
rd_raw_read_generic(PyObject *raw, char *start, Py_ssize_t len)
{
    PyObject *view, *res;
    Py_ssize_t n;

    view = PyMemoryView_FromMemory(start, len, PyBUF_WRITE);
    if (view == NULL) {
        return -1;
    }
    do {
        res = PyObject_CallMethod(raw, "readinto", "(O)", view);
    } while (res == NULL && rd_trap_eintr());
    Py_DECREF(view);
    if (res == NULL) {
        return -1;
    }
    if (res == Py_None) {
        Py_DECREF(res);
        return -2;
    }
    n = PyNumber_AsSsize_t(res, PyExc_ValueError);
    Py_DECREF(res);
    if (n == -1 && PyErr_Occurred()) {
        PyObject *cause = csocket_take_exception(), *exc;

        PyErr_SetString(PyExc_OSError, "raw readinto() failed");
        exc = csocket_take_exception();
        if (exc != NULL && cause != NULL) {
            PyException_SetContext(exc, Py_NewRef(cause));
            PyException_SetCause(exc, cause);       /* steals */
            cause = NULL;
        }
        Py_XDECREF(cause);
        csocket_give_exception(exc);
        return -1;
    }
    if (n < 0 || n > len) {
        PyErr_Format(PyExc_OSError,
                     "raw readinto() returned invalid length %zd "
                     "(should have been between 0 and %zd)", n, len);
        return -1;
    }
    return n;
}

/* One raw read into [start, start + len): bytes read, 0 at EOF, -2 when
 * a non-blocking stream has nothing (raw readinto() returned None), -1
 * with an exception set.  eager: see rd_fill().  Called with the lock
 * held. */
static Py_ssize_t
rd_raw_read(rd_fields *r, char *start, Py_ssize_t len, int eager)
{
    PyObject *raw = Py_NewRef(r->raw);
    Py_ssize_t n;

    if (csocket_sio_is_direct(raw)) {
        n = csocket_sio_recv(raw, start, len, eager);
    }
    else {
        n = rd_raw_read_generic(raw, start, len);
    }
    Py_DECREF(raw);
    return n;
}

/* Fill: one raw read appended after the buffered bytes.
 *
 * A fill that filled the whole buffer suggests that more data is queued
 * (a stream arriving faster than it is read): the next fill of a
 * blocking socket then first tries to receive without releasing the GIL
 * (csocket_sock_recv_into_eager(); it cannot sleep), saving the release
 * and re-acquisition.  A short fill drained the socket, so the next one
 * will most likely have to wait: it goes straight to the wait, with no
 * attempt that would fail. */
static Py_ssize_t
rd_fill(rd_fields *r)
{
    Py_ssize_t len = r->size - r->end;
    Py_ssize_t n = rd_raw_read(r, r->buf + r->end, len, r->eager);

    r->eager = n == len;
    if (n > 0) {
        r->end += n;
    }
    return n;
}

/* Take n buffered bytes as a new bytes object. */
static PyObject *
rd_take(rd_fields *r, Py_ssize_t n)
{
    PyObject *res = PyBytes_FromStringAndSize(r->buf + r->pos, n);

    if (res != NULL) {
        r->pos += n;
    }
    return res;
}

/* ---- argument conversion, as io's methods do it -------------------- */

/* size: an int, or None for -1 (read(), readline()).  0 / -1. */
static int
rd_size_or_none(PyObject *const *args, Py_ssize_t nargs, const char *name,
                Py_ssize_t *out)
{
    *out = -1;
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError,
                     "%s expected at most 1 argument, got %zd", name, nargs);
        return -1;
    }
    if (nargs == 0 || args[0] == Py_None) {
        return 0;
    }
    if (!PyIndex_Check(args[0])) {
        PyErr_Format(PyExc_TypeError,
                     "argument should be integer or None, not '%.200s'",
                     Py_TYPE(args[0])->tp_name);
        return -1;
    }
    *out = PyNumber_AsSsize_t(args[0], PyExc_OverflowError);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* size: an int (read1(), peek()).  0 / -1. */
static int
rd_size(PyObject *const *args, Py_ssize_t nargs, const char *name,
        Py_ssize_t *out)
{
    if (nargs > 1) {
        PyErr_Format(PyExc_TypeError,
                     "%s expected at most 1 argument, got %zd", name, nargs);
        return -1;
    }
    if (nargs == 0) {
        return 0;
    }
    return csocket_index_to_ssize(args[0], out);
}

/* ---- read() -------------------------------------------------------- */

/* read(-1): what is buffered, then raw.readall(). */
static PyObject *
rd_read_all(rd_fields *r)
{
    PyObject *data = NULL, *rest;
    Py_ssize_t have = r->end - r->pos;

    if (have > 0) {
        data = rd_take(r, have);
        if (data == NULL) {
            return NULL;
        }
    }
    r->pos = r->end = 0;
    rest = PyObject_CallMethod(r->raw, "readall", NULL);
    if (rest == NULL) {
        Py_XDECREF(data);
        return NULL;
    }
    if (rest != Py_None && !PyBytes_Check(rest)) {
        PyErr_SetString(PyExc_TypeError, "readall() should return bytes");
        Py_DECREF(rest);
        Py_XDECREF(data);
        return NULL;
    }
    if (data == NULL) {
        return rest;                    /* None from a non-blocking stream */
    }
    if (rest != Py_None) {
        PyBytes_Concat(&data, rest);    /* NULL with an error on failure */
    }
    Py_DECREF(rest);
    return data;
}

/* End of a read(n) that stopped early: EOF or "would block" (got 0 or
 * -2) after written bytes.  Returns the result (res is consumed). */
static PyObject *
rd_short(PyObject *res, Py_ssize_t got, Py_ssize_t written)
{
    if (got == 0 || written > 0) {
        if (_PyBytes_Resize(&res, written) < 0) {
            return NULL;
        }
        return res;
    }
    Py_DECREF(res);
    Py_RETURN_NONE;
}

/* read(n) beyond the buffered bytes, with the lock held.  Whole buffer
 * sizes go straight into the result; the tail through the buffer, read
 * until enough has come (never a raw read more than needed: a socket
 * would block). */
static PyObject *
rd_read_locked(rd_fields *r, Py_ssize_t n)
{
    Py_ssize_t have = r->end - r->pos, written = 0, remaining, got;
    PyObject *res;
    char *out;

    if (n <= have) {
        return rd_take(r, n);
    }
    res = PyBytes_FromStringAndSize(NULL, n);
    if (res == NULL) {
        return NULL;
    }
    out = PyBytes_AS_STRING(res);
    if (have > 0) {
        memcpy(out, r->buf + r->pos, (size_t)have);
        written = have;
    }
    remaining = n - written;
    r->pos = r->end = 0;
    while (remaining >= r->size) {
        got = rd_raw_read(r, out + written,
                          remaining - remaining % r->size, 0);
        if (got == -1) {
            Py_DECREF(res);
            return NULL;
        }
        if (got == 0 || got == -2) {
            return rd_short(res, got, written);
        }
        written += got;
        remaining -= got;
    }
    while (remaining > 0 && r->end < r->size) {
        Py_ssize_t take;

        got = rd_fill(r);
        if (got == -1) {
            Py_DECREF(res);
            return NULL;
        }
        if (got == 0 || got == -2) {
            return rd_short(res, got, written);
        }
        take = got < remaining ? got : remaining;
        memcpy(out + written, r->buf + r->pos, (size_t)take);
        r->pos += take;
        written += take;
        remaining -= take;
    }
    return res;
}

/* f.read(size=-1) */
static PyObject *
rd_read(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    rd_fields *r = RD(self);
    Py_ssize_t n;
    PyObject *res;

    if (rd_size_or_none(args, nargs, "read", &n) < 0 || rd_check_ok(r) < 0) {
        return NULL;
    }
    if (n < -1) {
        PyErr_SetString(PyExc_ValueError,
                        "read length must be non-negative or -1");
        return NULL;
    }
    if (rd_check_closed(r, "read of closed file") < 0) {
        return NULL;
    }
    if (n >= 0 && n <= r->end - r->pos && r->owner == 0) {
        return rd_take(r, n);
    }
    if (rd_enter(self, r) < 0) {
        return NULL;
    }
    res = n == -1 ? rd_read_all(r) : rd_read_locked(r, n);
    rd_leave(r);
    return res;
}

/* f.read1(size=-1): buffered bytes if there are any, else one raw read
 * straight into the result. */
static PyObject *
rd_read1(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    rd_fields *r = RD(self);
    Py_ssize_t n = -1, have, got;
    PyObject *res;

    if (rd_size(args, nargs, "read1", &n) < 0 || rd_check_ok(r) < 0) {
        return NULL;
    }
    if (n < 0) {
        n = r->size;
    }
    if (rd_check_closed(r, "read of closed file") < 0) {
        return NULL;
    }
    if (n == 0) {
        return PyBytes_FromStringAndSize(NULL, 0);
    }
    have = r->end - r->pos;
    if (have > 0 && r->owner == 0) {
        return rd_take(r, have < n ? have : n);
    }
    res = PyBytes_FromStringAndSize(NULL, n);
    if (res == NULL) {
        return NULL;
    }
    if (rd_enter(self, r) < 0) {
        Py_DECREF(res);
        return NULL;
    }
    have = r->end - r->pos;
    if (have > 0) {
        /* Data came while we waited for the lock. */
        got = have < n ? have : n;
        memcpy(PyBytes_AS_STRING(res), r->buf + r->pos, (size_t)got);
        r->pos += got;
    }
    else {
        r->pos = r->end = 0;
        got = rd_raw_read(r, PyBytes_AS_STRING(res), n, 0);
    }
    rd_leave(r);
    if (got == -1) {
        Py_DECREF(res);
        return NULL;
    }
    if (got == -2) {
        got = 0;
    }
    if (got < n && _PyBytes_Resize(&res, got) < 0) {
        return NULL;
    }
    return res;
}

/* ---- readinto() ---------------------------------------------------- */

static PyObject *
rd_readinto_generic(PyObject *self, PyObject *arg, int one,
                    const char *name)
{
    rd_fields *r = RD(self);
    Py_buffer view;
    Py_ssize_t have, written = 0, remaining, n;
    char *dst;
    PyObject *res = NULL;

    if (PyObject_GetBuffer(arg, &view, PyBUF_WRITABLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "%s() argument must be read-write bytes-like object, "
                     "not %.50s", name,
                     arg == Py_None ? "None" : Py_TYPE(arg)->tp_name);
        return NULL;
    }
    dst = view.buf;
    if (rd_check_ok(r) < 0
            || rd_check_closed(r, "readinto of closed file") < 0) {
        goto done;
    }
    have = r->end - r->pos;
    if (have >= view.len && r->owner == 0) {
        memcpy(dst, r->buf + r->pos, (size_t)view.len);
        r->pos += view.len;
        res = PyLong_FromSsize_t(view.len);
        goto done;
    }
    if (rd_enter(self, r) < 0) {
        goto done;
    }
    have = r->end - r->pos;
    if (have > 0) {
        written = have < view.len ? have : view.len;
        memcpy(dst, r->buf + r->pos, (size_t)written);
        r->pos += written;
    }
    if (written < view.len) {
        r->pos = r->end = 0;
    }
    for (remaining = view.len - written; remaining > 0; ) {
        if (remaining > r->size) {
            /* More than a buffer: straight into the caller's. */
            n = rd_raw_read(r, dst + written, remaining, 0);
        }
        else if (!(one && written)) {
            n = rd_fill(r);
            if (n > 0) {
                Py_ssize_t take = n < remaining ? n : remaining;

                memcpy(dst + written, r->buf + r->pos, (size_t)take);
                r->pos += take;
                written += take;
                remaining -= take;
                continue;
            }
        }
        else {
            n = 0;
        }
        if (n == 0 || (n == -2 && written > 0)) {
            break;
        }
        if (n < 0) {
            if (n == -2) {
                res = Py_NewRef(Py_None);
            }
            goto leave;
        }
        written += n;
        remaining -= n;
        if (one) {
            break;
        }
    }
    res = PyLong_FromSsize_t(written);
leave:
    rd_leave(r);
done:
    PyBuffer_Release(&view);
    return res;
}

static PyObject *
rd_readinto(PyObject *self, PyObject *arg)
{
    return rd_readinto_generic(self, arg, 0, "readinto");
}

static PyObject *
rd_readinto1(PyObject *self, PyObject *arg)
{
    return rd_readinto_generic(self, arg, 1, "readinto1");
}

/* ---- readline() ---------------------------------------------------- */

/* The parts of a line that readline() has taken from the buffer so far:
 * none, one bytes object (a line that spans two fills, the usual case:
 * no list and no join), or a list of them (a line longer than the
 * buffer). */
typedef struct {
    PyObject *first;
    PyObject *more;         /* list of the parts after the first */
    Py_ssize_t len;         /* their total size */
} rd_parts;

/* Add a part (stolen).  0 / -1. */
static int
rd_parts_add(rd_parts *p, PyObject *part)
{
    if (part == NULL) {
        return -1;
    }
    p->len += PyBytes_GET_SIZE(part);
    if (p->first == NULL) {
        p->first = part;
        return 0;
    }
    if (p->more == NULL && (p->more = PyList_New(0)) == NULL) {
        Py_DECREF(part);
        return -1;
    }
    if (PyList_Append(p->more, part) < 0) {
        Py_DECREF(part);
        return -1;
    }
    Py_DECREF(part);
    return 0;
}

static void
rd_parts_clear(rd_parts *p)
{
    Py_CLEAR(p->first);
    Py_CLEAR(p->more);
    p->len = 0;
}

/* Copy the parts to dst, in order. */
static void
rd_parts_copy(rd_parts *p, char *dst)
{
    Py_ssize_t i, n = p->more == NULL ? 0 : PyList_GET_SIZE(p->more);

    if (p->first == NULL) {
        return;
    }
    memcpy(dst, PyBytes_AS_STRING(p->first),
           (size_t)PyBytes_GET_SIZE(p->first));
    dst += PyBytes_GET_SIZE(p->first);
    for (i = 0; i < n; i++) {
        PyObject *part = PyList_GET_ITEM(p->more, i);

        memcpy(dst, PyBytes_AS_STRING(part), (size_t)PyBytes_GET_SIZE(part));
        dst += PyBytes_GET_SIZE(part);
    }
}

/* The line: the parts, then k more bytes from the buffer (taken). */
static PyObject *
rd_parts_finish(rd_fields *r, rd_parts *p, Py_ssize_t k)
{
    PyObject *res;

    if (p->first == NULL) {
        return rd_take(r, k);
    }
    if (k == 0 && p->more == NULL) {
        res = p->first;
        p->first = NULL;
        return res;
    }
    res = PyBytes_FromStringAndSize(NULL, p->len + k);
    if (res == NULL) {
        return NULL;
    }
    rd_parts_copy(p, PyBytes_AS_STRING(res));
    memcpy(PyBytes_AS_STRING(res) + p->len, r->buf + r->pos, (size_t)k);
    r->pos += k;
    return res;
}

/* After a failed raw read inside readline(): put the part of the line
 * already taken back into the (empty) buffer, when it fits, so that the
 * next read finds it.  (io's reader drops it: a readline() interrupted
 * by a signal handler's exception, then called again, returns the line
 * without its beginning.) */
static void
rd_restore(rd_fields *r, rd_parts *p)
{
    if (p->len > r->size || r->end != r->pos) {
        return;
    }
    rd_parts_copy(p, r->buf);
    r->pos = 0;
    r->end = p->len;
}

/* readline with the lock held, io's way: what is buffered is taken, then
 * each fill starts at the buffer's beginning (so that the bytes left
 * buffered afterwards, which read1() and peek() show, are the same as
 * io's).  EOF, or nothing more from a non-blocking stream, ends the line
 * where it is. */
static PyObject *
rd_readline_locked(rd_fields *r, Py_ssize_t limit)
{
    rd_parts parts = {NULL, NULL, 0};
    PyObject *res;
    Py_ssize_t n, got;
    const char *s;

    n = r->end - r->pos;
    if (limit >= 0 && n > limit) {
        n = limit;
    }
    s = memchr(r->buf + r->pos, '\n', (size_t)n);
    if (s != NULL) {
        return rd_take(r, s - (r->buf + r->pos) + 1);
    }
    if (n == limit) {
        return rd_take(r, n);
    }
    if (n > 0) {
        if (rd_parts_add(&parts, rd_take(r, n)) < 0) {
            goto error;
        }
        if (limit >= 0) {
            limit -= n;
        }
    }
    for (;;) {
        r->pos = r->end = 0;
        got = rd_fill(r);
        if (got == -1) {
            rd_restore(r, &parts);
            goto error;
        }
        if (got == 0 || got == -2) {
            res = rd_parts_finish(r, &parts, 0);
            break;
        }
        n = got;
        if (limit >= 0 && n > limit) {
            n = limit;
        }
        s = memchr(r->buf, '\n', (size_t)n);
        if (s != NULL || n == limit) {
            res = rd_parts_finish(r, &parts, s != NULL ? s - r->buf + 1 : n);
            break;
        }
        if (rd_parts_add(&parts, rd_take(r, n)) < 0) {
            goto error;
        }
        if (limit >= 0) {
            limit -= n;
        }
    }
    rd_parts_clear(&parts);
    return res;

error:
    rd_parts_clear(&parts);
    return NULL;
}

static PyObject *
rd_readline_impl(PyObject *self, rd_fields *r, Py_ssize_t limit)
{
    PyObject *res;

    /* Buffered bytes are readable whether or not the raw stream has
     * closed since, so the closed check waits until they run out. */
    if (r->owner == 0 && r->end > r->pos) {
        /* The whole line is buffered: no lock needed. */
        Py_ssize_t n = r->end - r->pos;
        const char *s;

        if (limit >= 0 && n > limit) {
            n = limit;
        }
        s = memchr(r->buf + r->pos, '\n', (size_t)n);
        if (s != NULL) {
            return rd_take(r, s - (r->buf + r->pos) + 1);
        }
        if (n == limit) {
            return rd_take(r, n);
        }
    }
    if (rd_check_closed(r, "readline of closed file") < 0
            || rd_enter(self, r) < 0) {
        return NULL;
    }
    res = rd_readline_locked(r, limit);
    rd_leave(r);
    return res;
}

/* f.readline(size=-1) */
static PyObject *
rd_readline(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    rd_fields *r = RD(self);
    Py_ssize_t limit;

    if (rd_size_or_none(args, nargs, "readline", &limit) < 0
            || rd_check_ok(r) < 0) {
        return NULL;
    }
    return rd_readline_impl(self, r, limit);
}

/* next(f) */
static PyObject *
rd_iternext(PyObject *self)
{
    rd_fields *r = RD(self);
    PyObject *line;

    if (rd_check_ok(r) < 0) {
        return NULL;
    }
    line = rd_readline_impl(self, r, -1);
    if (line != NULL && PyBytes_GET_SIZE(line) == 0) {
        /* EOF, or nothing from a non-blocking stream */
        Py_DECREF(line);
        return NULL;
    }
    return line;
}

/* ---- peek() -------------------------------------------------------- */

/* f.peek(size=0): all that is buffered, or else one fill's worth; the
 * size is not looked at (io's does the same). */
static PyObject *
rd_peek(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    rd_fields *r = RD(self);
    Py_ssize_t size = 0, got;
    PyObject *res;

    if (rd_size(args, nargs, "peek", &size) < 0 || rd_check_ok(r) < 0
            || rd_check_closed(r, "peek of closed file") < 0
            || rd_enter(self, r) < 0) {
        return NULL;
    }
    if (r->end > r->pos) {
        res = PyBytes_FromStringAndSize(r->buf + r->pos, r->end - r->pos);
    }
    else {
        r->pos = r->end = 0;
        got = rd_fill(r);
        res = got == -1 ? NULL
              : PyBytes_FromStringAndSize(r->buf, got == -2 ? 0 : got);
    }
    rd_leave(r);
    return res;
}

/* ---- close(), detach() ------------------------------------------- */

/* Call io's BufferedReader method `name` on self. */
static PyObject *
rd_call_base(PyObject *self, const char *name)
{
    PyObject *meth = PyObject_GetAttrString((PyObject *)rd_base(self), name);
    PyObject *res;

    if (meth == NULL) {
        return NULL;
    }
    res = PyObject_CallOneArg(meth, self);
    Py_DECREF(meth);
    return res;
}

static void
rd_drop_buffer(rd_fields *r)
{
    PyMem_Free(r->buf);
    r->buf = NULL;
    r->pos = r->end = 0;
}

/* f.close(): io's (flush, raw.close(), the finalizer's warning), then our
 * buffer goes too.  Waits for a thread inside a read, as io's does. */
static PyObject *
rd_close(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    rd_fields *r = RD(self);
    PyObject *res;
    int closed;

    if (!r->ok) {
        /* Detached, never initialised, or our part of __init__ failed
         * after io's succeeded (no memory): io's close says which. */
        return rd_call_base(self, "close");
    }
    if (rd_enter(self, r) < 0) {
        return NULL;
    }
    closed = csocket_sio_closed(r->raw);
    if (closed != 0) {
        /* Already closed: nothing to do (the buffer stays readable). */
        rd_leave(r);
        if (closed < 0) {
            return NULL;
        }
        Py_RETURN_NONE;
    }
    res = rd_call_base(self, "close");
    rd_drop_buffer(r);
    rd_leave(r);
    return res;
}

/* f.detach() -> the raw stream; the object is unusable afterwards. */
static PyObject *
rd_detach(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    rd_fields *r = RD(self);
    PyObject *raw;

    if (rd_check_ok(r) < 0 || rd_enter(self, r) < 0) {
        return NULL;
    }
    raw = rd_call_base(self, "detach");
    if (raw != NULL) {
        r->ok = 0;
        r->detached = 1;
        Py_CLEAR(r->raw);
        rd_drop_buffer(r);
    }
    rd_leave(r);
    return raw;
}

static PyObject *
rd_sizeof(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    rd_fields *r = RD(self);

    return PyLong_FromSsize_t(Py_TYPE(self)->tp_basicsize
                              + (r->buf != NULL ? r->size : 0));
}

/* Pickling and copying are refused as for the stdlib's object. */
static PyObject *
rd_reduce_ex(PyObject *self, PyObject *Py_UNUSED(protocol))
{
    (void)self;
    /* The wording of the io of this version. */
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetString(PyExc_TypeError,
                    "cannot pickle 'BufferedReader' instances");
#else
    PyErr_SetString(PyExc_TypeError,
                    "cannot pickle '_io.BufferedReader' object");
#endif
    return NULL;
}

/* The stdlib's repr: "<_io.BufferedReader name=...>". */
static PyObject *
rd_repr(PyObject *self)
{
    PyObject *name, *res = NULL;
    int status;

    name = PyObject_GetAttrString(self, "name");
    if (name == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError)
                && !PyErr_ExceptionMatches(PyExc_AttributeError)) {
            return NULL;
        }
        PyErr_Clear();
        return PyUnicode_FromString("<_io.BufferedReader>");
    }
    status = Py_ReprEnter(self);
    if (status == 0) {
        res = PyUnicode_FromFormat("<_io.BufferedReader name=%R>", name);
        Py_ReprLeave(self);
    }
    else if (status > 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "reentrant call inside _io.BufferedReader.__repr__");
    }
    Py_DECREF(name);
    return res;
}

/* ---- life cycle ---------------------------------------------------- */

/* BufferedReader(raw, buffer_size=DEFAULT_BUFFER_SIZE) */
static int
rd_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"raw", "buffer_size", NULL};
    csocket_state *st = csocket_state_from_type(Py_TYPE(self));
    rd_fields *r = RD(self);
    PyObject *raw, *base_args, *readable;
    Py_ssize_t size = DEFAULT_BUFFER_SIZE;
    char *buf;
    initproc base_init = rd_base(self)->tp_init;
    int rc;

    if (st == NULL) {
        return -1;
    }
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|n:BufferedReader",
                                     kwlist, &raw, &size)) {
        return -1;
    }
    r->ok = 0;
    r->detached = 0;
    if (!PyObject_TypeCheck(raw, st->socketio_type)) {
        PyErr_Format(PyExc_TypeError,
                     "this reader reads a csocket.SocketIO, not %.100s",
                     Py_TYPE(raw)->tp_name);
        return -1;
    }
    /* io's checks, in its order, before io's part is set up: an object
     * whose io part works would be closed by the finalizer, raw and all,
     * even though __init__ failed. */
    readable = PyObject_CallMethod(raw, "readable", NULL);
    if (readable == NULL) {
        return -1;
    }
    rc = readable == Py_True;
    Py_DECREF(readable);
    if (!rc) {
        PyObject *io = PyImport_ImportModule("io");
        PyObject *unsupported = io == NULL ? NULL
            : PyObject_GetAttrString(io, "UnsupportedOperation");

        Py_XDECREF(io);
        if (unsupported != NULL) {
            PyErr_SetString(unsupported, "File or stream is not readable.");
            Py_DECREF(unsupported);
        }
        return -1;
    }
    if (size <= 0) {
        PyErr_SetString(PyExc_ValueError,
                        "buffer size must be strictly positive");
        return -1;
    }
    /* io's part: raw, name, mode, closed, the finalizer. */
    base_args = Py_BuildValue("(On)", raw, (Py_ssize_t)1);
    if (base_args == NULL) {
        return -1;
    }
    rc = base_init(self, base_args, NULL);
    Py_DECREF(base_args);
    if (rc < 0) {
        return -1;
    }
    buf = PyMem_Malloc((size_t)size);
    if (buf == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    if (r->lock == NULL) {
        r->lock = PyThread_allocate_lock();
        if (r->lock == NULL) {
            PyMem_Free(buf);
            PyErr_SetString(PyExc_RuntimeError, "can't allocate read lock");
            return -1;
        }
    }
    /* __init__ again on a file in use: wait for a read under way, which
     * may be filling the old buffer with the GIL released. */
    if (rd_enter(self, r) < 0) {
        PyMem_Free(buf);
        return -1;
    }
    rd_drop_buffer(r);
    r->buf = buf;
    r->size = size;
    Py_XSETREF(r->raw, Py_NewRef(raw));
    r->ok = 1;
    rd_leave(r);
    return 0;
}

static int
rd_traverse(PyObject *self, visitproc visit, void *arg)
{
    PyTypeObject *base = rd_base(self);

    /* io's types are static on 3.11 (their traverse does not visit the
     * instance's type) and heap types on 3.12+ (theirs does). */
    if (!PyType_HasFeature(base, Py_TPFLAGS_HEAPTYPE)) {
        Py_VISIT(Py_TYPE(self));
    }
    Py_VISIT(RD(self)->raw);
    return base->tp_traverse != NULL ? base->tp_traverse(self, visit, arg)
                                     : 0;
}

static int
rd_clear(PyObject *self)
{
    PyTypeObject *base = rd_base(self);

    RD(self)->ok = 0;
    Py_CLEAR(RD(self)->raw);
    return base->tp_clear != NULL ? base->tp_clear(self) : 0;
}

static void
rd_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self), *base = rd_base(self);
    rd_fields *r = RD(self);

    /* io's finalizer closes a file still open (through our close(), so
     * our fields must still be there).  It may resurrect. */
    if (PyObject_CallFinalizerFromDealloc(self) < 0) {
        return;
    }
    Py_CLEAR(r->raw);
    rd_drop_buffer(r);
    if (r->lock != NULL) {
        PyThread_free_lock(r->lock);
        r->lock = NULL;
    }
    /* io's dealloc: its finalizer has run; it frees the object, and on
     * 3.12+ (heap types) drops the reference to our type itself. */
    base->tp_dealloc(self);
    if (!PyType_HasFeature(base, Py_TPFLAGS_HEAPTYPE)) {
        Py_DECREF(tp);
    }
}

static PyMethodDef rd_methods[] = {
    {"read", (PyCFunction)(void (*)(void))rd_read, METH_FASTCALL, NULL},
    {"read1", (PyCFunction)(void (*)(void))rd_read1, METH_FASTCALL, NULL},
    {"readinto", rd_readinto, METH_O, NULL},
    {"readinto1", rd_readinto1, METH_O, NULL},
    {"readline", (PyCFunction)(void (*)(void))rd_readline, METH_FASTCALL,
     NULL},
    {"peek", (PyCFunction)(void (*)(void))rd_peek, METH_FASTCALL, NULL},
    {"close", rd_close, METH_NOARGS, NULL},
    {"detach", rd_detach, METH_NOARGS, NULL},
    {"__sizeof__", rd_sizeof, METH_NOARGS, NULL},
    {"__reduce_ex__", rd_reduce_ex, METH_O, NULL},
    {NULL, NULL, 0, NULL}
};

static PyType_Slot rd_slots[] = {
    {Py_tp_init, rd_init},
    {Py_tp_dealloc, rd_dealloc},
    {Py_tp_traverse, rd_traverse},
    {Py_tp_clear, rd_clear},
    {Py_tp_iternext, rd_iternext},
    {Py_tp_repr, rd_repr},
    {Py_tp_methods, rd_methods},
    {0, NULL}
};

/* Not a base type: makefile() makes these, nobody derives from them. */
static PyType_Spec rd_spec = {
    .name = "csocket.SocketReader",
    .basicsize = 0,                     /* set at run time */
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = rd_slots,
};

int
csocket_reader_init_type(PyObject *module, csocket_state *st)
{
    PyObject *io, *base, *type;
    Py_ssize_t align = (Py_ssize_t)sizeof(void *);

    io = PyImport_ImportModule("_io");
    if (io == NULL) {
        return -1;
    }
    base = PyObject_GetAttrString(io, "BufferedReader");
    Py_DECREF(io);
    if (base == NULL) {
        return -1;
    }
    if (!PyType_Check(base)) {
        PyErr_SetString(PyExc_TypeError, "_io.BufferedReader is not a type");
        Py_DECREF(base);
        return -1;
    }
    rd_offset = (((PyTypeObject *)base)->tp_basicsize + align - 1)
                / align * align;
    rd_spec.basicsize = (int)(rd_offset + (Py_ssize_t)sizeof(rd_fields));
    type = PyType_FromModuleAndSpec(module, &rd_spec, base);
    Py_DECREF(base);
    if (type == NULL) {
        return -1;
    }
    st->reader_type = (PyTypeObject *)type;     /* takes our reference */
    return 0;
}

PyObject *
csocket_reader_new(csocket_state *st, PyObject *raw, Py_ssize_t buffer_size)
{
    return PyObject_CallFunction((PyObject *)st->reader_type, "On", raw,
                                 buffer_size);
}
