/*
 * msg.c - sendmsg()/recvmsg() with ancillary data, sendmsg_afalg(), and
 * the module functions send_fds()/recv_fds().
 *
 * Arguments are converted completely - every buffer acquired, every
 * ancillary item checked and its space counted - before the system call,
 * so the call itself runs without the GIL over memory nothing can change:
 * the lists the caller gave are copied first (an item's __index__ or
 * __buffer__ could otherwise mutate them under us), and each Py_buffer
 * pins its object until the call is over.
 *
 * Received control data is walked with the core's bounds-checked walker
 * (csock_cmsg_next).  Descriptors that arrive in SCM_RIGHTS messages
 * belong to the caller once the ancillary list is returned; on any error
 * after recvmsg() returned they are closed first, so an exception never
 * leaks them.
 */
#include "state.h"
#include "args.h"
#include "csock/msg.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#define SELF ((csocket_socket *)self)

/* Buffers and control bytes small enough to live on the stack; larger
 * ones are allocated. */
#define SMALL_IOV 8
#define SMALL_ANC 4
#define SMALL_CONTROL 256

/* Stack storage for a control buffer, aligned for struct cmsghdr. */
typedef union {
    struct cmsghdr align;
    unsigned char bytes[SMALL_CONTROL];
} small_control;

static const char truncated_warning[] =
    "received malformed or improperly-truncated ancillary data";

/* ------------------------------------------------------------------ */
/* The system-call attempts run by the call loop (without the GIL).      */

typedef struct {
    struct msghdr msg;
    int flags;
    socklen_t namecap;      /* recvmsg: size of the address buffer */
    size_t controlcap;      /* recvmsg: size of the control buffer */
} msg_ctx;

static ssize_t
sendmsg_attempt(int fd, void *p)
{
    msg_ctx *c = p;

    return csock_sendmsg(fd, &c->msg, c->flags);
}

static ssize_t
recvmsg_attempt(int fd, void *p)
{
    msg_ctx *c = p;

    /* recvmsg() overwrites these; a retry after EINTR or EAGAIN must
     * start from the full sizes again. */
    c->msg.msg_namelen = c->namecap;
    c->msg.msg_controllen = c->controlcap;
    c->msg.msg_flags = 0;
    return csock_recvmsg(fd, &c->msg, c->flags);
}

/* ------------------------------------------------------------------ */
/* A set of buffers for scatter/gather I/O.                              */

typedef struct {
    Py_ssize_t n;           /* number of views acquired (to release) */
    Py_buffer *views;
    struct iovec *iov;
    Py_buffer small_views[SMALL_IOV];
    struct iovec small_iov[SMALL_IOV];
} bufset;

static void
bufset_init(bufset *b)
{
    b->n = 0;
    b->views = b->small_views;
    b->iov = b->small_iov;
}

static void
bufset_release(bufset *b)
{
    Py_ssize_t i;

    for (i = 0; i < b->n; i++) {
        PyBuffer_Release(&b->views[i]);
    }
    if (b->views != b->small_views) {
        PyMem_Free(b->views);
    }
    if (b->iov != b->small_iov) {
        PyMem_Free(b->iov);
    }
    bufset_init(b);
}

/* A snapshot of an iterable as a tuple or a private list that no Python
 * code can reach: PySequence_Fast hands back the caller's own list,
 * which an item's conversion code could mutate while we index it.
 * NULL with TypeError(errmsg) when obj is not iterable. */
static PyObject *
snapshot(PyObject *obj, const char *errmsg)
{
    PyObject *seq = PySequence_Fast(obj, errmsg);

    if (seq != NULL && seq == obj && PyList_Check(seq)) {
        Py_SETREF(seq, PyList_AsTuple(seq));
    }
    return seq;
}

/* Acquire a buffer for each item of seq (a snapshot).  For writable
 * buffers every failure becomes recvmsg_into()'s TypeError; readable
 * ones keep the buffer protocol's own error, as the stdlib.  Returns 0,
 * or -1 with everything released. */
static int
bufset_acquire(bufset *b, PyObject *seq, int writable, const char *fname)
{
    Py_ssize_t i, n = PySequence_Fast_GET_SIZE(seq);

    bufset_init(b);
    if (n > SMALL_IOV) {
        b->views = PyMem_New(Py_buffer, n);
        b->iov = PyMem_New(struct iovec, n);
        if (b->views == NULL || b->iov == NULL) {
            bufset_release(b);
            PyErr_NoMemory();
            return -1;
        }
    }
    for (i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        Py_buffer *v = &b->views[i];

        if (PyObject_GetBuffer(item, v,
                               writable ? PyBUF_WRITABLE : PyBUF_SIMPLE)
            < 0) {
            if (writable) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError,
                             "%s() argument 1 must be an iterable of "
                             "single-segment read-write buffers", fname);
            }
            bufset_release(b);
            return -1;
        }
        b->n = i + 1;
        b->iov[i].iov_base = v->buf;
        b->iov[i].iov_len = (size_t)v->len;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Ancillary data to send.                                               */

typedef struct {
    int level;
    int type;
    Py_buffer data;
} anc_item;

typedef struct {
    Py_ssize_t n;           /* items whose data buffer is held */
    anc_item *items;
    anc_item small_items[SMALL_ANC];
    unsigned char *control; /* the built control buffer, or NULL */
    size_t controllen;
    small_control small;
} ancset;

static void
ancset_init(ancset *a)
{
    a->n = 0;
    a->items = a->small_items;
    a->control = NULL;
    a->controllen = 0;
}

static void
ancset_release(ancset *a)
{
    Py_ssize_t i;

    for (i = 0; i < a->n; i++) {
        PyBuffer_Release(&a->items[i].data);
    }
    if (a->items != a->small_items) {
        PyMem_Free(a->items);
    }
    if (a->control != NULL && a->control != a->small.bytes) {
        PyMem_Free(a->control);
    }
    ancset_init(a);
}

/* Field i of an ancillary item; a failing __getitem__ becomes the
 * stdlib's TypeError (its own exception is dropped, as there). */
static PyObject *
get_field(PyObject *obj, Py_ssize_t i)
{
    PyObject *v = PySequence_GetItem(obj, i);

    if (v == NULL) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "[sendmsg() ancillary data items]() argument %zd is "
                     "not retrievable", i + 1);
    }
    return v;
}

/* One (level, type, data) item, with the errors of the stdlib's tuple
 * parser (the item may be any sequence of length 3). */
static int
parse_anc_item(PyObject *obj, anc_item *it)
{
    static const char where[] = "[sendmsg() ancillary data items]()";
    PyObject *level = NULL, *type = NULL, *data = NULL;
    Py_ssize_t len;
    int ret = -1;

    if (!PySequence_Check(obj)) {
        PyErr_Format(PyExc_TypeError,
                     "%s argument must be 3-item sequence, not %.50s",
                     where, obj == Py_None ? "None" : Py_TYPE(obj)->tp_name);
        return -1;
    }
    len = PySequence_Size(obj);
    if (len < 0) {
        return -1;
    }
    if (len != 3) {
        PyErr_Format(PyExc_TypeError,
                     "%s argument must be sequence of length 3, not %zd",
                     where, len);
        return -1;
    }
    /* Each field is fetched and converted before the next is fetched. */
    if ((level = get_field(obj, 0)) == NULL ||
        csocket_as_int(level, &it->level) < 0 ||
        (type = get_field(obj, 1)) == NULL ||
        csocket_as_int(type, &it->type) < 0 ||
        (data = get_field(obj, 2)) == NULL ||
        PyObject_GetBuffer(data, &it->data, PyBUF_SIMPLE) < 0) {
        goto done;
    }
    ret = 0;
done:
    Py_XDECREF(level);
    Py_XDECREF(type);
    Py_XDECREF(data);
    return ret;
}

/* Convert the ancillary data argument and build the control buffer.
 * Returns 0 or -1 (everything released). */
static int
ancset_build(ancset *a, PyObject *ancdata)
{
    PyObject *seq;
    Py_ssize_t i, n;
    size_t total = 0, off = 0;

    ancset_init(a);
    seq = snapshot(ancdata, "sendmsg() argument 2 must be an iterable");
    if (seq == NULL) {
        return -1;
    }
    n = PySequence_Fast_GET_SIZE(seq);
    if (n > SMALL_ANC) {
        a->items = PyMem_New(anc_item, n);
        if (a->items == NULL) {
            a->items = a->small_items;
            PyErr_NoMemory();
            goto error;
        }
    }
    for (i = 0; i < n; i++) {
        anc_item *it = &a->items[i];
        size_t space;

        if (parse_anc_item(PySequence_Fast_GET_ITEM(seq, i), it) < 0) {
            goto error;
        }
        a->n = i + 1;
        /* The same limits as the stdlib: CMSG_SPACE() of an item, and
         * the sum of them all, must fit in an int. */
        if (csock_cmsg_space((size_t)it->data.len, &space) < 0) {
            PyErr_SetString(PyExc_OSError, "ancillary data item too large");
            goto error;
        }
        if (space > CSOCK_CONTROL_MAX - total) {
            PyErr_SetString(PyExc_OSError, "too much ancillary data");
            goto error;
        }
        total += space;
    }
    Py_CLEAR(seq);
    if (total > 0) {
        if (total <= sizeof(a->small.bytes)) {
            a->control = a->small.bytes;
        }
        else {
            a->control = PyMem_Malloc(total);
            if (a->control == NULL) {
                PyErr_NoMemory();
                goto error;
            }
        }
        for (i = 0; i < a->n; i++) {
            anc_item *it = &a->items[i];

            if (csock_cmsg_put(a->control, total, &off, it->level, it->type,
                               it->data.buf, (size_t)it->data.len) < 0) {
                /* Cannot happen: total was computed from these items. */
                PyErr_SetString(PyExc_RuntimeError,
                                "unexpected ancillary data size");
                goto error;
            }
        }
        a->controllen = total;
    }
    return 0;
error:
    Py_XDECREF(seq);
    ancset_release(a);
    return -1;
}

/* ------------------------------------------------------------------ */
/* sendmsg                                                               */

/* The common part of sendmsg() and send_fds(): ancdata and addr may be
 * NULL.  Returns the byte count or -1. */
static Py_ssize_t
sendmsg_impl(csocket_socket *s, PyObject *buffers, PyObject *ancdata,
             int flags, PyObject *addr)
{
    csock_sockaddr sa;
    socklen_t salen = 0;
    PyObject *bufseq = NULL;
    bufset bufs;
    ancset anc;
    msg_ctx c;
    ssize_t n = -1;

    bufset_init(&bufs);
    ancset_init(&anc);
    if (addr == Py_None) {
        addr = NULL;
    }
    if (addr != NULL &&
        csocket_parse_address(s, addr, &sa, &salen, "sendmsg") < 0) {
        return -1;
    }
    if (PySys_Audit("socket.sendmsg", "OO", (PyObject *)s,
                    addr != NULL ? addr : Py_None) < 0) {
        return -1;
    }
    bufseq = snapshot(buffers, "sendmsg() argument 1 must be an iterable");
    if (bufseq == NULL) {
        return -1;
    }
    if (bufset_acquire(&bufs, bufseq, 0, "sendmsg") < 0) {
        goto done;
    }
    if (ancdata != NULL && ancset_build(&anc, ancdata) < 0) {
        goto done;
    }
    memset(&c, 0, sizeof(c));
    if (addr != NULL) {
        c.msg.msg_name = &sa;
        c.msg.msg_namelen = salen;
    }
    c.msg.msg_iov = bufs.iov;
    c.msg.msg_iovlen = (size_t)bufs.n;
    c.msg.msg_control = anc.control;
    c.msg.msg_controllen = anc.controllen;
    c.flags = flags;
    if (csocket_call(s, 1, sendmsg_attempt, &c, &n) < 0) {
        n = -1;
    }
done:
    ancset_release(&anc);
    bufset_release(&bufs);
    Py_XDECREF(bufseq);
    return n;
}

/* s.sendmsg(buffers[, ancdata[, flags[, address]]]) -> int */
PyObject *
csocket_sock_sendmsg(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int flags = 0;
    Py_ssize_t n;

    if (csocket_check_nargs("sendmsg", nargs, 1, 4) < 0) {
        return NULL;
    }
    if (nargs >= 3 && csocket_as_int(args[2], &flags) < 0) {
        return NULL;
    }
    n = sendmsg_impl(SELF, args[0], nargs >= 2 ? args[1] : NULL, flags,
                     nargs >= 4 ? args[3] : NULL);
    if (n < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(n);
}

/* ------------------------------------------------------------------ */
/* recvmsg                                                               */

/* The outcome of one recvmsg(): owns the control buffer. */
typedef struct {
    ssize_t n;
    int msg_flags;
    csock_sockaddr sa;
    socklen_t salen;
    unsigned char *control;     /* NULL when no ancillary buffer */
    size_t controllen;          /* as returned by the kernel */
    small_control small;
} recv_result;

static void
recv_result_free(recv_result *r)
{
    if (r->control != NULL && r->control != r->small.bytes) {
        PyMem_Free(r->control);
    }
    r->control = NULL;
    r->controllen = 0;
}

/* Close the descriptors the call received, then free: for every error
 * after recvmsg() returned. */
static void
recv_result_discard(recv_result *r)
{
    csock_cmsg_close_fds(r->control, r->controllen);
    recv_result_free(r);
}

/* Parse ancbufsize for recvmsg()/recvmsg_into(). */
static int
check_ancbufsize(Py_ssize_t ancbufsize)
{
    if (ancbufsize < 0 || (size_t)ancbufsize > CSOCK_CONTROL_MAX) {
        PyErr_SetString(PyExc_ValueError,
                        "invalid ancillary data buffer length");
        return -1;
    }
    return 0;
}

/* One recvmsg() through the call loop into iov, with an ancillary buffer
 * of ancbufsize bytes.  Returns 0 with *r filled (the caller owns
 * r->control: recv_result_free or recv_result_discard), or -1. */
static int
recvmsg_raw(csocket_socket *s, struct iovec *iov, size_t iovlen,
            Py_ssize_t ancbufsize, int flags, recv_result *r)
{
    msg_ctx c;
    ssize_t n;

    r->control = NULL;
    r->controllen = 0;
    if (ancbufsize > 0) {
        if ((size_t)ancbufsize <= sizeof(r->small.bytes)) {
            r->control = r->small.bytes;
        }
        else {
            r->control = PyMem_Malloc((size_t)ancbufsize);
            if (r->control == NULL) {
                PyErr_NoMemory();
                return -1;
            }
        }
    }
    memset(&c, 0, sizeof(c));
    memset(&r->sa, 0, sizeof(r->sa));
    c.msg.msg_name = &r->sa;
    c.namecap = (socklen_t)sizeof(r->sa);
    c.msg.msg_iov = iov;
    c.msg.msg_iovlen = iovlen;
    c.msg.msg_control = r->control;
    c.controlcap = (size_t)ancbufsize;
    c.flags = flags;
    if (csocket_call(s, 0, recvmsg_attempt, &c, &n) < 0) {
        /* The kernel hands over no descriptors when recvmsg() fails. */
        recv_result_free(r);
        return -1;
    }
    r->n = n;
    r->msg_flags = c.msg.msg_flags;
    r->salen = c.msg.msg_namelen;
    if (r->salen > (socklen_t)sizeof(r->sa)) {
        r->salen = (socklen_t)sizeof(r->sa);
    }
    r->controllen = r->control == NULL ? 0 : (size_t)c.msg.msg_controllen;
    if (r->controllen > (size_t)ancbufsize) {
        r->controllen = (size_t)ancbufsize;
    }
    return 0;
}

/* Warn about a malformed or truncated control message, as the stdlib
 * does (the warning may be turned into an error).  Returns 0 or -1. */
static int
warn_truncated(void)
{
    return PyErr_WarnEx(PyExc_RuntimeWarning, truncated_warning, 1);
}

/* The ancillary data list [(level, type, bytes), ...] of a result.
 * Returns NULL on error (the caller then discards the result). */
static PyObject *
make_ancdata(const recv_result *r)
{
    PyObject *list = PyList_New(0);
    size_t pos = 0;
    csock_cmsg item;
    int k;

    if (list == NULL) {
        return NULL;
    }
    while ((k = csock_cmsg_next(r->control, r->controllen, &pos, &item))
           != 0) {
        PyObject *t;

        if (k < 0 || item.truncated) {
            if (warn_truncated() < 0) {
                goto error;
            }
            if (k < 0) {
                break;
            }
        }
        t = Py_BuildValue("(iiy#)", item.level, item.type,
                          (const char *)item.data, (Py_ssize_t)item.len);
        if (t == NULL) {
            goto error;
        }
        if (PyList_Append(list, t) < 0) {
            Py_DECREF(t);
            goto error;
        }
        Py_DECREF(t);
    }
    return list;
error:
    Py_DECREF(list);
    return NULL;
}

/* The sender's address of a result, None when the kernel gave none. */
static PyObject *
make_from_address(csocket_socket *s, const recv_result *r)
{
    if (r->salen == 0) {
        Py_RETURN_NONE;
    }
    return csocket_make_address(s->state, &r->sa.sa, r->salen, s->proto);
}

/* The 4-tuple (a, b, msg_flags, d); consumes a, b and d, also on
 * failure. */
static PyObject *
pack_result(PyObject *a, PyObject *b, int msg_flags, PyObject *d)
{
    PyObject *res = PyTuple_New(4);
    PyObject *f = res == NULL ? NULL : PyLong_FromLong(msg_flags);

    if (f == NULL) {
        Py_XDECREF(res);
        Py_DECREF(a);
        Py_DECREF(b);
        Py_DECREF(d);
        return NULL;
    }
    PyTuple_SET_ITEM(res, 0, a);
    PyTuple_SET_ITEM(res, 1, b);
    PyTuple_SET_ITEM(res, 2, f);
    PyTuple_SET_ITEM(res, 3, d);
    return res;
}

/* (first, ancdata, msg_flags, address) from a result; consumes first.
 * On error the result's descriptors are closed. */
static PyObject *
finish_recvmsg(csocket_socket *s, PyObject *first, recv_result *r)
{
    PyObject *anc = NULL, *addr = NULL, *res;

    if (first == NULL) {
        goto error;
    }
    anc = make_ancdata(r);
    if (anc == NULL) {
        goto error;
    }
    addr = make_from_address(s, r);
    if (addr == NULL) {
        goto error;
    }
    res = pack_result(first, anc, r->msg_flags, addr);
    first = anc = addr = NULL;
    if (res == NULL) {
        goto error;
    }
    recv_result_free(r);
    return res;
error:
    Py_XDECREF(first);
    Py_XDECREF(anc);
    Py_XDECREF(addr);
    recv_result_discard(r);
    return NULL;
}

/* Parse (bufsize[, ancbufsize[, flags]]) with the stdlib's checks. */
static int
parse_recvmsg_args(PyObject *const *args, Py_ssize_t nargs,
                   Py_ssize_t *bufsize, Py_ssize_t *ancbufsize, int *flags)
{
    if (csocket_check_nargs("recvmsg", nargs, 1, 3) < 0) {
        return -1;
    }
    *ancbufsize = 0;
    *flags = 0;
    if (csocket_as_ssize(args[0], bufsize) < 0 ||
        (nargs >= 2 && csocket_as_ssize(args[1], ancbufsize) < 0) ||
        (nargs >= 3 && csocket_as_int(args[2], flags) < 0)) {
        return -1;
    }
    if (*bufsize < 0) {
        PyErr_SetString(PyExc_ValueError,
                        "negative buffer size in recvmsg()");
        return -1;
    }
    return check_ancbufsize(*ancbufsize);
}

/* recvmsg() into a new bytes object of bufsize bytes: *data gets the
 * (resized) bytes.  Returns 0 or -1. */
static int
recvmsg_bytes(csocket_socket *s, Py_ssize_t bufsize, Py_ssize_t ancbufsize,
              int flags, PyObject **data, recv_result *r)
{
    PyObject *buf = PyBytes_FromStringAndSize(NULL, bufsize);
    struct iovec iov;

    if (buf == NULL) {
        return -1;
    }
    iov.iov_base = PyBytes_AS_STRING(buf);
    iov.iov_len = (size_t)bufsize;
    if (recvmsg_raw(s, &iov, 1, ancbufsize, flags, r) < 0) {
        Py_DECREF(buf);
        return -1;
    }
    if (r->n != bufsize && _PyBytes_Resize(&buf, r->n) < 0) {
        recv_result_discard(r);
        return -1;
    }
    *data = buf;
    return 0;
}

/* s.recvmsg(bufsize[, ancbufsize[, flags]]) ->
 *     (data, ancdata, msg_flags, address) */
PyObject *
csocket_sock_recvmsg(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t bufsize, ancbufsize;
    int flags;
    PyObject *data;
    recv_result r;

    if (parse_recvmsg_args(args, nargs, &bufsize, &ancbufsize, &flags) < 0 ||
        recvmsg_bytes(SELF, bufsize, ancbufsize, flags, &data, &r) < 0) {
        return NULL;
    }
    return finish_recvmsg(SELF, data, &r);
}

/* s.recvmsg_into(buffers[, ancbufsize[, flags]]) ->
 *     (nbytes, ancdata, msg_flags, address) */
PyObject *
csocket_sock_recvmsg_into(PyObject *self, PyObject *const *args,
                          Py_ssize_t nargs)
{
    Py_ssize_t ancbufsize = 0;
    int flags = 0;
    PyObject *seq;
    bufset bufs;
    recv_result r;
    int rc;

    if (csocket_check_nargs("recvmsg_into", nargs, 1, 3) < 0) {
        return NULL;
    }
    if ((nargs >= 2 && csocket_as_ssize(args[1], &ancbufsize) < 0) ||
        (nargs >= 3 && csocket_as_int(args[2], &flags) < 0)) {
        return NULL;
    }
    seq = snapshot(args[0], "recvmsg_into() argument 1 must be an iterable");
    if (seq == NULL) {
        return NULL;
    }
    if (bufset_acquire(&bufs, seq, 1, "recvmsg_into") < 0) {
        Py_DECREF(seq);
        return NULL;
    }
    if (check_ancbufsize(ancbufsize) < 0) {
        bufset_release(&bufs);
        Py_DECREF(seq);
        return NULL;
    }
    rc = recvmsg_raw(SELF, bufs.iov, (size_t)bufs.n, ancbufsize, flags, &r);
    bufset_release(&bufs);
    Py_DECREF(seq);
    if (rc < 0) {
        return NULL;
    }
    return finish_recvmsg(SELF, PyLong_FromSsize_t(r.n), &r);
}

/* ------------------------------------------------------------------ */
/* sendmsg_afalg                                                         */

/* Refuse an unknown keyword with the wording of the running
 * interpreter's argument parser (it changed in 3.13). */
static int
check_keywords(const char *fname, PyObject *kwnames,
               const char *const *names)
{
    Py_ssize_t i, j, nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);

    for (j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);

        for (i = 0; names[i] != NULL; i++) {
            if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0) {
                break;
            }
        }
        if (names[i] == NULL) {
#if PY_VERSION_HEX >= 0x030D0000
            PyErr_Format(PyExc_TypeError,
                         "%s() got an unexpected keyword argument '%U'",
                         fname, key);
#else
            PyErr_Format(PyExc_TypeError,
                         "'%U' is an invalid keyword argument for %s()",
                         key, fname);
#endif
            return -1;
        }
    }
    return 0;
}

/* s.sendmsg_afalg([msg], *, op[, iv[, assoclen[, flags=MSG_MORE]]])
 *     -> int */
PyObject *
csocket_sock_sendmsg_afalg(PyObject *self, PyObject *const *args,
                           Py_ssize_t nargs, PyObject *kwnames)
{
#if defined(AF_ALG) && defined(MSG_MORE)
    static const char *const names[] = {"msg", "op", "iv", "assoclen",
                                        "flags", NULL};
    PyObject *a[5], *seq = NULL;
    Py_buffer iv;
    int have_iv = 0, flags = MSG_MORE, has_assoclen = 0, assoclen = 0;
    unsigned long op;
    const void *ivp = NULL;
    size_t ivlen = 0, size;
    unsigned char *control = NULL;
    small_control small;
    bufset bufs;
    msg_ctx c;
    ssize_t n;
    PyObject *res = NULL;
    int r;

    bufset_init(&bufs);
    if (SELF->family != AF_ALG) {
        PyErr_SetString(PyExc_OSError,
                        "algset is only supported for AF_ALG");
        return NULL;
    }
    if (check_keywords("sendmsg_afalg", kwnames, names) < 0 ||
        csocket_gather_args("sendmsg_afalg", args, nargs, kwnames, names, 0,
                            1, a) < 0) {
        return NULL;
    }
    /* Types first, in parameter order, as the stdlib's parser checks
     * them (op and assoclen must be ints, iv a contiguous buffer, flags
     * an int); then the values. */
    if (a[1] != NULL && !PyLong_Check(a[1])) {
        PyErr_Format(PyExc_TypeError,
                     "sendmsg_afalg() argument 2 must be int, not %.50s",
                     a[1] == Py_None ? "None" : Py_TYPE(a[1])->tp_name);
        return NULL;
    }
    if (a[2] != NULL) {
        if (PyObject_GetBuffer(a[2], &iv, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
        have_iv = 1;
    }
    if (a[3] != NULL && !PyLong_Check(a[3])) {
        PyErr_Format(PyExc_TypeError,
                     "sendmsg_afalg() argument 4 must be int, not %.50s",
                     a[3] == Py_None ? "None" : Py_TYPE(a[3])->tp_name);
        goto done;
    }
    if (a[4] != NULL && csocket_as_int(a[4], &flags) < 0) {
        goto done;
    }
    /* op: any int from 0 to INT_MAX; everything else is one error. */
    if (a[1] != NULL) {
        int overflow = 0;
        long v = PyLong_AsLongAndOverflow(a[1], &overflow);

        if (v == -1 && PyErr_Occurred()) {
            goto done;
        }
        op = overflow || v < 0 || v > INT_MAX ? ULONG_MAX
                                              : (unsigned long)v;
    }
    else {
        op = ULONG_MAX;
    }
    if (op == ULONG_MAX) {
        PyErr_SetString(PyExc_TypeError, "Invalid or missing argument 'op'");
        goto done;
    }
    if (a[3] != NULL) {
        int overflow = 0;
        long v = PyLong_AsLongAndOverflow(a[3], &overflow);

        if (v == -1 && PyErr_Occurred()) {
            goto done;
        }
        if (overflow || v > INT_MAX || v < INT_MIN) {
            PyErr_SetString(PyExc_OverflowError,
                            "Python int too large to convert to C int");
            goto done;
        }
        if (v < 0) {
            PyErr_SetString(PyExc_TypeError, "assoclen must be positive");
            goto done;
        }
        assoclen = (int)v;
        has_assoclen = 1;
    }
    if (have_iv && (size_t)iv.len > UINT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "iv is too large");
        goto done;
    }
    if (a[0] != NULL) {
        /* The message is the one sendmsg() gives for its buffers. */
        seq = snapshot(a[0], "sendmsg() argument 1 must be an iterable");
        if (seq == NULL || bufset_acquire(&bufs, seq, 0, "sendmsg_afalg")
                           < 0) {
            goto done;
        }
    }
    if (have_iv) {
        /* An empty IV is still an IV (the core takes NULL for none). */
        ivp = iv.buf != NULL ? iv.buf : (const void *)"";
        ivlen = (size_t)iv.len;
    }
    r = csock_afalg_control_size(ivp, ivlen, has_assoclen, &size);
    if (r < 0) {
        csocket_set_core_error(r);
        goto done;
    }
    if (size <= sizeof(small.bytes)) {
        control = small.bytes;
    }
    else if ((control = PyMem_Malloc(size)) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    r = csock_afalg_control(control, size, (uint32_t)op, ivp, ivlen,
                            has_assoclen, (uint32_t)assoclen);
    if (r < 0) {
        csocket_set_core_error(r);
        goto done;
    }
    memset(&c, 0, sizeof(c));
    c.msg.msg_iov = bufs.n > 0 ? bufs.iov : NULL;
    c.msg.msg_iovlen = (size_t)bufs.n;
    c.msg.msg_control = control;
    c.msg.msg_controllen = size;
    c.flags = flags;
    if (csocket_call(SELF, 1, sendmsg_attempt, &c, &n) == 0) {
        res = PyLong_FromSsize_t(n);
    }
done:
    if (control != NULL && control != small.bytes) {
        PyMem_Free(control);
    }
    bufset_release(&bufs);
    Py_XDECREF(seq);
    if (have_iv) {
        PyBuffer_Release(&iv);
    }
    return res;
#else
    (void)args;
    (void)nargs;
    (void)kwnames;
    (void)self;
    PyErr_SetString(PyExc_OSError, "algset is only supported for AF_ALG");
    return NULL;
#endif
}

/* ------------------------------------------------------------------ */
/* send_fds / recv_fds                                                   */

/* array.array('i', fds), exactly as the stdlib builds the SCM_RIGHTS
 * data (so every kind of fds argument behaves the same). */
static PyObject *
int_array(PyObject *fds)
{
    PyObject *mod, *arr;

    mod = PyImport_ImportModule("array");
    if (mod == NULL) {
        return NULL;
    }
    arr = PyObject_CallMethod(mod, "array", "sO", "i", fds);
    Py_DECREF(mod);
    return arr;
}

/* send_fds(sock, buffers, fds[, flags[, address]]) -> int
 *
 * As the stdlib (3.11 to 3.13), flags and address are accepted but not
 * used: the message goes out with sock.sendmsg(buffers, ancdata). */
static PyObject *
csocket_send_fds(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                 PyObject *kwnames)
{
    static const char *const names[] = {"sock", "buffers", "fds", "flags",
                                        "address"};
    static const csocket_pysig sig = {"send_fds", names, 5, 3, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *a[5], *meth = NULL, *arr = NULL, *anc = NULL, *res = NULL;

    if (csocket_pyfunc_args(&sig, args, nargs, kwnames, a) < 0) {
        return NULL;
    }
    if (!Py_IS_TYPE(a[0], st->socket_type)) {
        /* Anything else goes through its own sendmsg method, looked up
         * before the arguments are built (Python's evaluation order). */
        meth = PyObject_GetAttrString(a[0], "sendmsg");
        if (meth == NULL) {
            return NULL;
        }
    }
    arr = int_array(a[2]);
    if (arr == NULL) {
        goto done;
    }
    anc = Py_BuildValue("[(iiO)]", SOL_SOCKET, SCM_RIGHTS, arr);
    if (anc == NULL) {
        goto done;
    }
    if (meth != NULL) {
        res = PyObject_CallFunctionObjArgs(meth, a[1], anc, NULL);
    }
    else {
        Py_ssize_t n = sendmsg_impl((csocket_socket *)a[0], a[1], anc, 0,
                                    NULL);

        if (n >= 0) {
            res = PyLong_FromSsize_t(n);
        }
    }
done:
    Py_XDECREF(meth);
    Py_XDECREF(arr);
    Py_XDECREF(anc);
    return res;
}

/* CMSG_LEN(maxfds * 4) as the stdlib computes it for recv_fds(): the
 * product is a Python operation (so any number type behaves as there),
 * then CMSG_LEN()'s own conversion and range check. */
static PyObject *
fds_ancbufsize(PyObject *maxfds)
{
    PyObject *four, *prod, *idx;
    Py_ssize_t len;
    size_t out;

    four = PyLong_FromLong((long)sizeof(int));
    if (four == NULL) {
        return NULL;
    }
    prod = PyNumber_Multiply(maxfds, four);
    Py_DECREF(four);
    if (prod == NULL) {
        return NULL;
    }
    idx = PyNumber_Index(prod);
    Py_DECREF(prod);
    if (idx == NULL) {
        return NULL;
    }
    len = PyLong_AsSsize_t(idx);
    Py_DECREF(idx);
    if (len == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (len < 0 || csock_cmsg_len((size_t)len, &out) < 0) {
        PyErr_SetString(PyExc_OverflowError,
                        "CMSG_LEN() argument out of range");
        return NULL;
    }
    return PyLong_FromSize_t(out);
}

/* Append the descriptors carried by one ancillary item's data (complete
 * ints only) to list.  Returns 0 or -1. */
static int
append_fds(PyObject *list, const unsigned char *data, size_t len)
{
    size_t i, n = csock_cmsg_fd_count(len);

    for (i = 0; i < n; i++) {
        PyObject *v = PyLong_FromLong(csock_cmsg_fd_at(data, i));

        if (v == NULL || PyList_Append(list, v) < 0) {
            Py_XDECREF(v);
            return -1;
        }
        Py_DECREF(v);
    }
    return 0;
}

/* recv_fds() on an exact csocket.socket: recvmsg() in C, the descriptors
 * taken straight from the control buffer. */
static PyObject *
recv_fds_direct(csocket_socket *s, PyObject *bufsize_obj, PyObject *anclen)
{
    PyObject *args[2] = {bufsize_obj, anclen};
    PyObject *data = NULL, *fds = NULL, *addr = NULL, *res;
    Py_ssize_t bufsize, ancbufsize;
    int flags;
    recv_result r;
    size_t pos = 0;
    csock_cmsg item;
    int k;

    if (parse_recvmsg_args(args, 2, &bufsize, &ancbufsize, &flags) < 0 ||
        recvmsg_bytes(s, bufsize, ancbufsize, flags, &data, &r) < 0) {
        return NULL;
    }
    fds = PyList_New(0);
    if (fds == NULL) {
        goto error;
    }
    while ((k = csock_cmsg_next(r.control, r.controllen, &pos, &item))
           != 0) {
        if (k < 0 || item.truncated) {
            if (warn_truncated() < 0) {
                goto error;
            }
            if (k < 0) {
                break;
            }
        }
        if (item.level == SOL_SOCKET && item.type == SCM_RIGHTS &&
            append_fds(fds, item.data, item.len) < 0) {
            goto error;
        }
    }
    addr = make_from_address(s, &r);
    if (addr == NULL) {
        goto error;
    }
    res = pack_result(data, fds, r.msg_flags, addr);
    data = fds = addr = NULL;
    if (res == NULL) {
        goto error;
    }
    recv_result_free(&r);
    return res;
error:
    Py_XDECREF(data);
    Py_XDECREF(fds);
    Py_XDECREF(addr);
    recv_result_discard(&r);
    return NULL;
}

/* Unpack exactly n items of an iterable into out[] (new references),
 * with Python's unpacking errors.  Returns 0 or -1. */
static int
unpack(PyObject *obj, Py_ssize_t n, PyObject **out)
{
    PyObject *it, *extra;
    Py_ssize_t i;

    it = PyObject_GetIter(obj);
    if (it == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "cannot unpack non-iterable %.200s object",
                         Py_TYPE(obj)->tp_name);
        }
        return -1;
    }
    for (i = 0; i < n; i++) {
        out[i] = PyIter_Next(it);
        if (out[i] == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError,
                             "not enough values to unpack (expected %zd, "
                             "got %zd)", n, i);
            }
            goto error;
        }
    }
    extra = PyIter_Next(it);
    if (extra != NULL) {
        Py_DECREF(extra);
        PyErr_Format(PyExc_ValueError,
                     "too many values to unpack (expected %zd)", n);
        i = n;
        goto error;
    }
    if (PyErr_Occurred()) {
        i = n;
        goto error;
    }
    Py_DECREF(it);
    return 0;
error:
    while (i-- > 0) {
        Py_CLEAR(out[i]);
    }
    Py_DECREF(it);
    return -1;
}

/* Is obj == value (a Python comparison)?  1, 0, or -1. */
static int
equals_int(PyObject *obj, long value)
{
    PyObject *v = PyLong_FromLong(value);
    int r;

    if (v == NULL) {
        return -1;
    }
    r = PyObject_RichCompareBool(obj, v, Py_EQ);
    Py_DECREF(v);
    return r;
}

/* recv_fds() on anything else: call its recvmsg method and pick the
 * SCM_RIGHTS items out of the result, as the stdlib's Python code does. */
static PyObject *
recv_fds_generic(PyObject *meth, PyObject *bufsize_obj, PyObject *anclen)
{
    PyObject *result, *parts[4] = {NULL, NULL, NULL, NULL};
    PyObject *fds = NULL, *it = NULL, *entry, *res = NULL;
    Py_ssize_t i;

    result = PyObject_CallFunctionObjArgs(meth, bufsize_obj, anclen, NULL);
    if (result == NULL) {
        return NULL;
    }
    if (unpack(result, 4, parts) < 0) {
        Py_DECREF(result);
        return NULL;
    }
    Py_DECREF(result);
    fds = PyList_New(0);
    it = fds == NULL ? NULL : PyObject_GetIter(parts[1]);
    if (it == NULL) {
        goto done;
    }
    while ((entry = PyIter_Next(it)) != NULL) {
        PyObject *f[3];
        Py_buffer view;
        int match, rc = 0;

        if (unpack(entry, 3, f) < 0) {
            Py_DECREF(entry);
            goto done;
        }
        Py_DECREF(entry);
        match = equals_int(f[0], SOL_SOCKET);
        if (match > 0) {
            match = equals_int(f[1], SCM_RIGHTS);
        }
        if (match > 0) {
            rc = PyObject_GetBuffer(f[2], &view, PyBUF_SIMPLE);
            if (rc == 0) {
                rc = append_fds(fds, view.buf, (size_t)view.len);
                PyBuffer_Release(&view);
            }
        }
        Py_DECREF(f[0]);
        Py_DECREF(f[1]);
        Py_DECREF(f[2]);
        if (match < 0 || rc < 0) {
            goto done;
        }
    }
    if (PyErr_Occurred()) {
        goto done;
    }
    res = PyTuple_Pack(4, parts[0], fds, parts[2], parts[3]);
done:
    Py_XDECREF(it);
    Py_XDECREF(fds);
    for (i = 0; i < 4; i++) {
        Py_XDECREF(parts[i]);
    }
    return res;
}

/* recv_fds(sock, bufsize, maxfds[, flags]) ->
 *     (data, list of file descriptors, msg_flags, address)
 *
 * As the stdlib (3.11 to 3.13), flags is accepted but not used. */
static PyObject *
csocket_recv_fds(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                 PyObject *kwnames)
{
    static const char *const names[] = {"sock", "bufsize", "maxfds",
                                        "flags"};
    static const csocket_pysig sig = {"recv_fds", names, 4, 3, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *a[4], *meth = NULL, *anclen, *res;

    if (csocket_pyfunc_args(&sig, args, nargs, kwnames, a) < 0) {
        return NULL;
    }
    if (!Py_IS_TYPE(a[0], st->socket_type)) {
        meth = PyObject_GetAttrString(a[0], "recvmsg");
        if (meth == NULL) {
            return NULL;
        }
    }
    anclen = fds_ancbufsize(a[2]);
    if (anclen == NULL) {
        Py_XDECREF(meth);
        return NULL;
    }
    if (meth != NULL) {
        res = recv_fds_generic(meth, a[1], anclen);
        Py_DECREF(meth);
    }
    else {
        res = recv_fds_direct((csocket_socket *)a[0], a[1], anclen);
    }
    Py_DECREF(anclen);
    return res;
}

PyMethodDef csocket_msg_methods[] = {
    {"send_fds", (PyCFunction)(void (*)(void))csocket_send_fds,
     METH_FASTCALL | METH_KEYWORDS,
     "send_fds($module, /, sock, buffers, fds, flags=0, address=None)\n"
     "--\n\n"
     "send_fds(sock, buffers, fds[, flags[, address]]) -> integer\n\n"
     "Send the list of file descriptors fds over an AF_UNIX socket."},
    {"recv_fds", (PyCFunction)(void (*)(void))csocket_recv_fds,
     METH_FASTCALL | METH_KEYWORDS,
     "recv_fds($module, /, sock, bufsize, maxfds, flags=0)\n"
     "--\n\n"
     "recv_fds(sock, bufsize, maxfds[, flags]) -> (data, list of file\n"
     "descriptors, msg_flags, address)\n\n"
     "Receive up to maxfds file descriptors returning the message\n"
     "data and a list containing the descriptors."},
    {NULL, NULL, 0, NULL}
};
