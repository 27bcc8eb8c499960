/*
 * socketio.c - s.makefile() and csocket.SocketIO, the raw I/O object
 * behind it.
 *
 * SocketIO is a raw stream (io.RawIOBase) over a socket: readinto() is
 * recv_into(), write() is send().  makefile() stacks the io module's
 * buffered and text layers on top of it, exactly as the stdlib does.
 *
 * The type is a C subclass of _io._RawIOBase, the C type under the
 * io.RawIOBase ABC, so that read(), readall(), readline(), readlines()
 * and the finalizer that closes a forgotten object all come from io
 * itself.  It cannot derive from io.RawIOBase directly (that class has
 * the ABCMeta metaclass, which a heap type made from a spec cannot take
 * on 3.12+), so it is registered with io.RawIOBase instead: isinstance()
 * and issubclass() then answer as for the stdlib's class.
 *
 * Speed: a BufferedReader calls readinto() once per buffer fill.  When
 * the socket is exactly csocket.socket, readinto() and write() call the
 * socket's C recv/send directly, with no Python-level lookup and no
 * argument tuple.  Anything else (a subclass of the socket type, another
 * object) gets its Python recv_into()/send() called, so that overrides
 * are honoured as in the stdlib.
 */
#include "state.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define SIO(o) ((csocket_socketio *)(o))

static void sio_dealloc(PyObject *op);

/* io's type under ours (_io._RawIOBase), found from the object itself:
 * the module state may already be cleared when the last objects die at
 * interpreter exit. */
static PyTypeObject *
sio_io_base(PyObject *op)
{
    return csocket_type_below(op, sio_dealloc);
}

/* Is self exactly csocket.SocketIO (not a Python subclass)?  Only then
 * may the methods below trust their own fields instead of looking up
 * attributes a subclass might override.  (A class statement gives its
 * type a tp_dealloc of its own.) */
static inline int
sio_is_exact(csocket_socketio *self)
{
    return Py_TYPE(self)->tp_dealloc == sio_dealloc;
}

/* The stdlib's object keeps its state in plain attributes, so using one
 * before __init__ raises AttributeError; so do we. */
static PyObject *
sio_no_attribute(csocket_socketio *self, const char *attr)
{
    /* PyType_GetName() is 3.11+. */
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(self),
                                            "__name__");

    if (name == NULL) {
        return NULL;
    }
    PyErr_Format(PyExc_AttributeError, "'%U' object has no attribute '%s'",
                 name, attr);
    Py_DECREF(name);
    return NULL;
}

/* 1 if closed, 0 if open, -1 on error.  The stdlib asks self.closed;
 * for our own type that is the flag close() sets (after io's close has
 * run), for a subclass the attribute, which it may have overridden. */
static int
sio_closed(csocket_socketio *self)
{
    PyObject *res;
    int closed;

    if (sio_is_exact(self)) {
        return self->closed;
    }
    res = PyObject_GetAttrString((PyObject *)self, "closed");
    if (res == NULL) {
        return -1;
    }
    closed = PyObject_IsTrue(res);
    Py_DECREF(res);
    return closed;
}

int
csocket_sio_closed(PyObject *raw)
{
    return sio_closed(SIO(raw));
}

/* io's _checkClosed(): ValueError on a closed object.  0 / -1. */
static int
sio_check_closed(csocket_socketio *self)
{
    int closed = sio_closed(self);

    if (closed < 0) {
        return -1;
    }
    if (closed) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on closed file.");
        return -1;
    }
    return 0;
}

/* io.UnsupportedOperation(msg).  The class lives in io; this is an error
 * path only, so it is looked up when needed. */
static void
sio_unsupported(const char *msg)
{
    PyObject *io = PyImport_ImportModule("io");
    PyObject *cls;

    if (io == NULL) {
        return;
    }
    cls = PyObject_GetAttrString(io, "UnsupportedOperation");
    Py_DECREF(io);
    if (cls == NULL) {
        return;
    }
    PyErr_SetString(cls, msg);
    Py_DECREF(cls);
}

/* io's _checkReadable() / _checkWritable(): the object's readable() /
 * writable() must return True.  0 / -1. */
static int
sio_check_direction(csocket_socketio *self, int for_write)
{
    const char *meth = for_write ? "writable" : "readable";
    PyObject *res;
    int ok;

    if (sio_is_exact(self)) {
        if (self->mode == NULL) {
            sio_no_attribute(self, for_write ? "_writing" : "_reading");
            return -1;
        }
        ok = for_write ? self->writing : self->reading;
    }
    else {
        res = PyObject_CallMethod((PyObject *)self, meth, NULL);
        if (res == NULL) {
            return -1;
        }
        ok = res == Py_True;
        Py_DECREF(res);
    }
    if (!ok) {
        sio_unsupported(for_write ? "File or stream is not writable."
                                  : "File or stream is not readable.");
        return -1;
    }
    return 0;
}

/* After a failed recv/send: if the exception is an OSError whose errno
 * says "would block" (a non-blocking socket with nothing to do), clear
 * it and return 1, as a raw stream returns None then.  Otherwise leave
 * it set and return 0. */
static int
sio_clear_would_block(void)
{
    return csocket_clear_oserror(EAGAIN, EWOULDBLOCK);
}

/* ---- the SocketIO type ------------------------------------------- */

static PyObject *
sio_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    csocket_state *st = csocket_state_from_type(type);
    csocket_socketio *self;

    (void)args;
    (void)kwds;
    if (st == NULL) {
        return NULL;
    }
    self = (csocket_socketio *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->state = st;
    return (PyObject *)self;
}

/* SocketIO(sock, mode) */
static int
sio_init(PyObject *op, PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"sock", "mode", NULL};
    static const char *const valid[] = {"r", "w", "rw", "rb", "wb", "rwb"};
    csocket_socketio *self = SIO(op);
    PyObject *sock, *mode, *canon;
    const char *m = NULL;
    size_t i;

    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO:SocketIO", kwlist,
                                     &sock, &mode)) {
        return -1;
    }
    if (PyUnicode_Check(mode)) {
        for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
            if (PyUnicode_CompareWithASCIIString(mode, valid[i]) == 0) {
                m = valid[i];
                break;
            }
        }
    }
    if (m == NULL) {
        PyErr_Format(PyExc_ValueError, "invalid mode: %R", mode);
        return -1;
    }
    /* The mode is always stored binary: "r" -> "rb", "rw" -> "rwb". */
    canon = PyUnicode_FromFormat("%s%s", m, strchr(m, 'b') ? "" : "b");
    if (canon == NULL) {
        return -1;
    }
    Py_INCREF(sock);
    Py_XSETREF(self->sock, sock);
    Py_XSETREF(self->mode, canon);
    self->reading = strchr(m, 'r') != NULL;
    self->writing = strchr(m, 'w') != NULL;
    self->timeout_occurred = 0;
    return 0;
}

static int
sio_traverse(PyObject *op, visitproc visit, void *arg)
{
    csocket_socketio *self = SIO(op);
    PyTypeObject *base = sio_io_base(op);

    /* A heap type's instances own a reference to it.  io's own types
     * are static on 3.11 (their traverse does not visit the type) and
     * heap types on 3.12+ (their traverse does, so we must not twice). */
    if (!PyType_HasFeature(base, Py_TPFLAGS_HEAPTYPE)) {
        Py_VISIT(Py_TYPE(op));
    }
    Py_VISIT(self->sock);
    Py_VISIT(self->mode);
    /* io's fields (the instance __dict__). */
    if (base->tp_traverse != NULL) {
        return base->tp_traverse(op, visit, arg);
    }
    return 0;
}

static int
sio_clear(PyObject *op)
{
    csocket_socketio *self = SIO(op);
    PyTypeObject *base = sio_io_base(op);

    Py_CLEAR(self->sock);
    Py_CLEAR(self->mode);
    if (base->tp_clear != NULL) {
        base->tp_clear(op);
    }
    /* The instance __dict__ io keeps for us, in case its clear did not. */
    if (base->tp_dictoffset > 0) {
        Py_CLEAR(*(PyObject **)((char *)op + base->tp_dictoffset));
    }
    return 0;
}

static void
sio_dealloc(PyObject *op)
{
    PyTypeObject *tp = Py_TYPE(op);

    /* io's finalizer closes an object that is still open, which gives
     * the socket its _decref_socketios() call.  It may resurrect. */
    if (PyObject_CallFinalizerFromDealloc(op) < 0) {
        return;
    }
    PyObject_GC_UnTrack(op);
    PyObject_ClearWeakRefs(op);
    sio_clear(op);
    tp->tp_free(op);
    Py_DECREF(tp);
}

/* readinto()'s checks of the object's own state, in the stdlib's order.
 * 0 / -1. */
static int
sio_check_readinto(csocket_socketio *self)
{
    if (sio_check_closed(self) < 0 || sio_check_direction(self, 0) < 0) {
        return -1;
    }
    if (self->timeout_occurred) {
        /* After a timeout the amount of data lost to a partly filled
         * buffer is unknown, so the stream cannot be trusted again. */
        PyErr_SetString(PyExc_OSError, "cannot read from timed out object");
        return -1;
    }
    if (self->sock == NULL) {
        sio_no_attribute(self, "_sock");
        return -1;
    }
    return 0;
}

/* After recv_into() failed: a timeout marks the object; "would block"
 * becomes -2 (a raw stream's None).  -1 when the error stands. */
static Py_ssize_t
sio_recv_failed(csocket_socketio *self)
{
    if (PyErr_ExceptionMatches(self->state->timeout_error)) {
        self->timeout_occurred = 1;
        return -1;
    }
    return sio_clear_would_block() ? -2 : -1;
}

/* readinto() of exactly csocket.SocketIO over exactly csocket.socket
 * into memory (eager: see csocket_sock_recv_into_eager()). */
static Py_ssize_t
sio_recv_exact(csocket_socketio *self, char *buf, Py_ssize_t len, int eager)
{
    PyObject *sock = self->sock;
    Py_ssize_t n;

    /* Hold the socket: another thread may close this object while the
     * call below has released the GIL. */
    Py_INCREF(sock);
    n = eager ? csocket_sock_recv_into_eager((csocket_socket *)sock, buf,
                                             len)
              : csocket_sock_recv_into_raw((csocket_socket *)sock, buf,
                                           len, 0);
    Py_DECREF(sock);
    return n >= 0 ? n : sio_recv_failed(self);
}

Py_ssize_t
csocket_sio_recv(PyObject *raw, char *buf, Py_ssize_t len, int eager)
{
    csocket_socketio *self = SIO(raw);

    if (sio_check_readinto(self) < 0) {
        return -1;
    }
    return sio_recv_exact(self, buf, len, eager);
}

/* f.readinto(b) -> int or None */
static PyObject *
sio_readinto(PyObject *op, PyObject *b)
{
    csocket_socketio *self = SIO(op);
    PyObject *sock, *res;
    Py_buffer view;
    Py_ssize_t n;

    if (sio_check_readinto(self) < 0) {
        return NULL;
    }
    sock = self->sock;
    if (Py_IS_TYPE(sock, self->state->socket_type)) {
        if (PyObject_GetBuffer(b, &view, PyBUF_WRITABLE) < 0) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "recv_into() argument 1 must be read-write "
                         "bytes-like object, not %.50s",
                         b == Py_None ? "None" : Py_TYPE(b)->tp_name);
            return NULL;
        }
        n = sio_recv_exact(self, view.buf, view.len, 0);
        PyBuffer_Release(&view);
        if (n == -2) {
            Py_RETURN_NONE;
        }
        return n < 0 ? NULL : PyLong_FromSsize_t(n);
    }
    /* A socket subclass: its own recv_into(), whose result is handed
     * back as it is. */
    Py_INCREF(sock);
    res = PyObject_CallMethod(sock, "recv_into", "(O)", b);
    Py_DECREF(sock);
    if (res != NULL) {
        return res;
    }
    if (sio_recv_failed(self) == -2) {
        Py_RETURN_NONE;
    }
    return NULL;
}

/* f.write(b) -> int or None */
static PyObject *
sio_write(PyObject *op, PyObject *b)
{
    csocket_socketio *self = SIO(op);
    PyObject *sock, *res;

    if (sio_check_closed(self) < 0 || sio_check_direction(self, 1) < 0) {
        return NULL;
    }
    sock = self->sock;
    if (sock == NULL) {
        return sio_no_attribute(self, "_sock");
    }
    Py_INCREF(sock);
    if (Py_IS_TYPE(sock, self->state->socket_type)) {
        Py_buffer view;
        Py_ssize_t n;

        /* GetBuffer's own errors are the ones send() gives. */
        if (PyObject_GetBuffer(b, &view, PyBUF_SIMPLE) < 0) {
            Py_DECREF(sock);
            return NULL;
        }
        n = csocket_sock_send_raw((csocket_socket *)sock, view.buf,
                                  view.len, 0);
        PyBuffer_Release(&view);
        res = n < 0 ? NULL : PyLong_FromSsize_t(n);
    }
    else {
        res = PyObject_CallMethod(sock, "send", "(O)", b);
    }
    Py_DECREF(sock);
    if (res == NULL && sio_clear_would_block()) {
        Py_RETURN_NONE;
    }
    return res;
}

/* readable(), writable() and seekable() say "closed socket", unlike the
 * other methods' "closed file": that is the stdlib's wording. */
static int
sio_check_closed_socket(csocket_socketio *self)
{
    int closed = sio_closed(self);

    if (closed < 0) {
        return -1;
    }
    if (closed) {
        PyErr_SetString(PyExc_ValueError, "I/O operation on closed socket.");
        return -1;
    }
    return 0;
}

/* f.readable() -> bool */
static PyObject *
sio_readable(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    csocket_socketio *self = SIO(op);

    if (sio_check_closed_socket(self) < 0) {
        return NULL;
    }
    if (self->mode == NULL) {
        return sio_no_attribute(self, "_reading");
    }
    return PyBool_FromLong(self->reading);
}

/* f.writable() -> bool */
static PyObject *
sio_writable(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    csocket_socketio *self = SIO(op);

    if (sio_check_closed_socket(self) < 0) {
        return NULL;
    }
    if (self->mode == NULL) {
        return sio_no_attribute(self, "_writing");
    }
    return PyBool_FromLong(self->writing);
}

/* f.seekable() -> False */
static PyObject *
sio_seekable(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    if (sio_check_closed_socket(SIO(op)) < 0) {
        return NULL;
    }
    Py_RETURN_FALSE;
}

/* f.fileno() -> int */
static PyObject *
sio_fileno(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    csocket_socketio *self = SIO(op);

    if (sio_check_closed(self) < 0) {
        return NULL;
    }
    if (self->sock == NULL) {
        return sio_no_attribute(self, "_sock");
    }
    return PyObject_CallMethod(self->sock, "fileno", NULL);
}

/* f.close() */
static PyObject *
sio_close(PyObject *op, PyObject *Py_UNUSED(ignored))
{
    csocket_socketio *self = SIO(op);
    PyTypeObject *base = sio_io_base(op);
    PyObject *base_close, *res, *sock;
    int closed = sio_closed(self);

    if (closed < 0) {
        return NULL;
    }
    if (closed) {
        Py_RETURN_NONE;
    }
    /* io's own close() first: it flushes and marks the object closed,
     * which is what io's closed property and finalizer look at. */
    base_close = PyObject_GetAttrString((PyObject *)base, "close");
    if (base_close == NULL) {
        return NULL;
    }
    res = PyObject_CallOneArg(base_close, op);
    Py_DECREF(base_close);
    /* io counts the object closed even when its flush() failed.
     * (sio_setattro() has normally seen io mark it already.) */
    self->closed = 1;
    if (res == NULL) {
        return NULL;
    }
    Py_DECREF(res);
    if (self->sock == NULL) {
        /* Never initialised (__init__ failed, say): there is no socket
         * to tell.  The stdlib raises AttributeError here, which io's
         * finalizer then reports as "Exception ignored" for every
         * SocketIO() call given a bad mode; we stay quiet instead. */
        if (self->mode == NULL) {
            Py_RETURN_NONE;
        }
        return sio_no_attribute(self, "_sock");
    }
    /* Tell the socket one file less uses it: a socket whose close() was
     * already called really closes now if this was its last file.  As
     * in the stdlib, the reference is dropped only when that worked. */
    sock = Py_NewRef(self->sock);
    res = PyObject_CallMethod(sock, "_decref_socketios", NULL);
    Py_DECREF(sock);
    if (res == NULL) {
        return NULL;
    }
    Py_DECREF(res);
    Py_CLEAR(self->sock);
    Py_RETURN_NONE;
}

/* f.name: the file descriptor, or -1 once closed. */
static PyObject *
sio_get_name(PyObject *op, void *Py_UNUSED(closure))
{
    int closed = sio_closed(SIO(op));

    if (closed < 0) {
        return NULL;
    }
    if (closed) {
        return PyLong_FromLong(-1);
    }
    return PyObject_CallMethod(op, "fileno", NULL);
}

/* f.closed.  io keeps this state in the instance __dict__ and finds it
 * with two attribute lookups; a BufferedReader asks for it on every
 * readline(), so our own flag answers instead.  sio_setattro() keeps the
 * flag in step with io's attribute, whoever closes the object. */
static PyObject *
sio_get_closed(PyObject *op, void *Py_UNUSED(closure))
{
    return PyBool_FromLong(SIO(op)->closed);
}

static int
sio_setattro(PyObject *op, PyObject *name, PyObject *value)
{
    int r = PyObject_GenericSetAttr(op, name, value);

    if (r == 0 && PyUnicode_Check(name)
            && PyUnicode_CompareWithASCIIString(name,
                                                "__IOBase_closed") == 0) {
        int closed = value != NULL ? PyObject_IsTrue(value) : 0;

        if (closed < 0) {
            return -1;
        }
        SIO(op)->closed = (char)closed;
    }
    return r;
}

/* f.mode: "rb", "wb" or "rwb". */
static PyObject *
sio_get_mode(PyObject *op, void *Py_UNUSED(closure))
{
    csocket_socketio *self = SIO(op);

    if (self->mode == NULL) {
        return sio_no_attribute(self, "_mode");
    }
    return Py_NewRef(self->mode);
}

/* f._sock: the socket, None once closed (as the stdlib's attribute). */
static PyObject *
sio_get_sock(PyObject *op, void *Py_UNUSED(closure))
{
    csocket_socketio *self = SIO(op);

    if (self->sock == NULL) {
        if (self->closed) {
            Py_RETURN_NONE;
        }
        return sio_no_attribute(self, "_sock");
    }
    return Py_NewRef(self->sock);
}

/* The stdlib's _sock is a plain attribute, so it can be replaced (or
 * deleted); readinto() and write() look at it on every call. */
static int
sio_set_sock(PyObject *op, PyObject *value, void *Py_UNUSED(closure))
{
    Py_XINCREF(value);
    Py_XSETREF(SIO(op)->sock, value);
    return 0;
}

static PyMethodDef sio_methods[] = {
    {"readinto", sio_readinto, METH_O,
     PyDoc_STR("readinto(b) -> int or None\n\n"
               "Read up to len(b) bytes into the writable buffer b; return "
               "the\nnumber of bytes read, 0 at end of stream, or None "
               "when a\nnon-blocking socket has no data.")},
    {"write", sio_write, METH_O,
     PyDoc_STR("write(b) -> int or None\n\n"
               "Send b with one send() call; return the number of bytes "
               "sent\n(maybe fewer than len(b)), or None when a "
               "non-blocking socket\ncannot take any.")},
    {"readable", sio_readable, METH_NOARGS,
     PyDoc_STR("True if the object was opened for reading.")},
    {"writable", sio_writable, METH_NOARGS,
     PyDoc_STR("True if the object was opened for writing.")},
    {"seekable", sio_seekable, METH_NOARGS,
     PyDoc_STR("Sockets are not seekable: always False.")},
    {"fileno", sio_fileno, METH_NOARGS,
     PyDoc_STR("Return the socket's file descriptor.")},
    {"close", sio_close, METH_NOARGS,
     PyDoc_STR("Close the object.  The socket is closed only if its own "
               "close()\nwas called and this was the last file made from "
               "it.")},
    {NULL, NULL, 0, NULL}
};

static PyGetSetDef sio_getset[] = {
    {"closed", sio_get_closed, NULL,
     PyDoc_STR("True once the object is closed."), NULL},
    {"name", sio_get_name, NULL,
     PyDoc_STR("The file descriptor, or -1 once closed."), NULL},
    {"mode", sio_get_mode, NULL,
     PyDoc_STR("The mode: 'rb', 'wb' or 'rwb'."), NULL},
    {"_mode", sio_get_mode, NULL, NULL, NULL},
    {"_sock", sio_get_sock, sio_set_sock, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

/* The stdlib keeps these as plain attributes; code that pokes at them
 * (resetting _timeout_occurred, say) keeps working. */
static PyMemberDef sio_members[] = {
    {"_reading", T_BOOL, offsetof(csocket_socketio, reading), 0, NULL},
    {"_writing", T_BOOL, offsetof(csocket_socketio, writing), 0, NULL},
    {"_timeout_occurred", T_BOOL,
     offsetof(csocket_socketio, timeout_occurred), 0, NULL},
    {NULL, 0, 0, 0, NULL}
};

PyDoc_STRVAR(sio_doc,
"SocketIO(sock, mode)\n--\n\n"
"Raw I/O implementation for stream sockets.\n\n"
"This class supports the makefile() method on sockets.  It provides\n"
"the raw I/O interface on top of a socket object.");

static PyType_Slot sio_slots[] = {
    {Py_tp_doc, (void *)sio_doc},
    {Py_tp_new, sio_new},
    {Py_tp_init, sio_init},
    {Py_tp_dealloc, sio_dealloc},
    {Py_tp_traverse, sio_traverse},
    {Py_tp_clear, sio_clear},
    {Py_tp_methods, sio_methods},
    {Py_tp_getset, sio_getset},
    {Py_tp_setattro, sio_setattro},
    {Py_tp_members, sio_members},
    {0, NULL}
};

static PyType_Spec sio_spec = {
    .name = "csocket.SocketIO",
    .basicsize = sizeof(csocket_socketio),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE | Py_TPFLAGS_HAVE_GC,
    .slots = sio_slots,
};

int
csocket_socketio_init_type(PyObject *module, csocket_state *st)
{
    PyObject *io = NULL, *raw_base = NULL, *abc = NULL, *type = NULL;
    PyObject *res;

    io = PyImport_ImportModule("_io");
    if (io == NULL) {
        goto error;
    }
    raw_base = PyObject_GetAttrString(io, "_RawIOBase");
    if (raw_base == NULL) {
        goto error;
    }
    if (!PyType_Check(raw_base)) {
        PyErr_SetString(PyExc_TypeError, "_io._RawIOBase is not a type");
        goto error;
    }
    if (((PyTypeObject *)raw_base)->tp_basicsize
            > (Py_ssize_t)offsetof(csocket_socketio, sock)) {
        PyErr_SetString(PyExc_SystemError,
                        "csocket.SocketIO: _io._RawIOBase instances are "
                        "larger than the room reserved for them");
        goto error;
    }
    type = PyType_FromModuleAndSpec(module, &sio_spec, raw_base);
    if (type == NULL) {
        goto error;
    }
    /* The ABC: isinstance(f, io.RawIOBase) as for the stdlib's class. */
    Py_CLEAR(io);
    io = PyImport_ImportModule("io");
    if (io == NULL) {
        goto error;
    }
    st->io_module = Py_NewRef(io);
    abc = PyObject_GetAttrString(io, "RawIOBase");
    if (abc == NULL) {
        goto error;
    }
    res = PyObject_CallMethod(abc, "register", "(O)", type);
    if (res == NULL) {
        goto error;
    }
    Py_DECREF(res);
    if (PyModule_AddObjectRef(module, "SocketIO", type) < 0) {
        goto error;
    }
    st->socketio_type = (PyTypeObject *)type;   /* takes our reference */
    Py_DECREF(abc);
    Py_DECREF(raw_base);
    Py_DECREF(io);
    return 0;

error:
    Py_XDECREF(type);
    Py_XDECREF(abc);
    Py_XDECREF(raw_base);
    Py_XDECREF(io);
    return -1;
}

/* ---- s.makefile() ------------------------------------------------- */

/* makefile()'s parameters, in order; the first two may be positional. */
static const char *const makefile_kwlist[] = {
    "mode", "buffering", "encoding", "errors", "newline"
};
#define MAKEFILE_NPARAMS 5
#define MAKEFILE_NPOS 2

/* Fill vals[] (borrowed references, NULL when not given) from a
 * vectorcall.  Messages are those of the stdlib's Python method. */
static int
makefile_parse(PyObject *const *args, Py_ssize_t nargs, PyObject *kwnames,
               PyObject **vals)
{
    Py_ssize_t i, nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    int j;

    for (j = 0; j < MAKEFILE_NPARAMS; j++) {
        vals[j] = NULL;
    }
    if (nargs > MAKEFILE_NPOS) {
        PyErr_Format(PyExc_TypeError,
                     "socket.makefile() takes from 1 to %d positional "
                     "arguments but %zd were given",
                     MAKEFILE_NPOS + 1, nargs + 1);
        return -1;
    }
    for (i = 0; i < nargs; i++) {
        vals[i] = args[i];
    }
    for (i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);

        for (j = 0; j < MAKEFILE_NPARAMS; j++) {
            if (PyUnicode_CompareWithASCIIString(key,
                                                 makefile_kwlist[j]) == 0) {
                break;
            }
        }
        if (j == MAKEFILE_NPARAMS) {
            PyErr_Format(PyExc_TypeError,
                         "socket.makefile() got an unexpected keyword "
                         "argument '%U'", key);
            return -1;
        }
        if (vals[j] != NULL) {
            PyErr_Format(PyExc_TypeError,
                         "socket.makefile() got multiple values for "
                         "argument '%s'", makefile_kwlist[j]);
            return -1;
        }
        vals[j] = args[nargs + i];
    }
    return 0;
}

/* Which of 'r', 'w', 'b' the mode holds (flags out), or -1 with
 * ValueError when it holds anything else.  A str is scanned directly;
 * any other object is taken as the stdlib takes it, as an iterable
 * compared with set() and searched with `in`. */
#define MODE_R 1
#define MODE_W 2
#define MODE_B 4

static int
makefile_mode(PyObject *mode, int *flags)
{
    int f = 0, bad = 0;

    if (PyUnicode_CheckExact(mode)) {
        Py_ssize_t i, n = PyUnicode_GET_LENGTH(mode);

        for (i = 0; i < n && !bad; i++) {
            switch (PyUnicode_READ_CHAR(mode, i)) {
            case 'r': f |= MODE_R; break;
            case 'w': f |= MODE_W; break;
            case 'b': f |= MODE_B; break;
            default: bad = 1; break;
            }
        }
    }
    else {
        PyObject *chars, *allowed, *given;
        int sub, has;
        static const char *const letters[] = {"r", "w", "b"};
        int k;

        given = PySet_New(mode);
        if (given == NULL) {
            return -1;
        }
        chars = PyUnicode_FromString("rwb");
        if (chars == NULL) {
            Py_DECREF(given);
            return -1;
        }
        allowed = PySet_New(chars);
        Py_DECREF(chars);
        if (allowed == NULL) {
            Py_DECREF(given);
            return -1;
        }
        sub = PyObject_RichCompareBool(given, allowed, Py_LE);
        Py_DECREF(allowed);
        Py_DECREF(given);
        if (sub < 0) {
            return -1;
        }
        bad = !sub;
        for (k = 0; k < 3 && !bad; k++) {
            PyObject *c = PyUnicode_FromString(letters[k]);

            if (c == NULL) {
                return -1;
            }
            has = PySequence_Contains(mode, c);
            Py_DECREF(c);
            if (has < 0) {
                return -1;
            }
            if (has) {
                f |= 1 << k;
            }
        }
    }
    if (bad) {
        PyErr_Format(PyExc_ValueError,
                     "invalid mode %R (only r, w, b allowed)", mode);
        return -1;
    }
    *flags = f;
    return 0;
}

/* s.makefile(mode='r', buffering=None, *, encoding=None, errors=None,
 *            newline=None) -> file object */
PyObject *
csocket_sock_makefile(PyObject *self, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    csocket_socket *s = (csocket_socket *)self;
    csocket_state *st = s->state;
    PyObject *vals[MAKEFILE_NPARAMS];
    PyObject *mode, *buffering, *default_mode = NULL;
    PyObject *raw = NULL, *io = NULL, *cls = NULL, *buffer = NULL;
    PyObject *text = NULL, *zero = NULL, *size = NULL;
    const char *rawmode;
    int flags, reading, writing, binary, cmp;

    if (makefile_parse(args, nargs, kwnames, vals) < 0) {
        return NULL;
    }
    if (vals[0] == NULL) {
        default_mode = PyUnicode_FromString("r");
        if (default_mode == NULL) {
            return NULL;
        }
    }
    mode = vals[0] != NULL ? vals[0] : default_mode;
    if (makefile_mode(mode, &flags) < 0) {
        goto error;
    }
    writing = (flags & MODE_W) != 0;
    reading = (flags & MODE_R) != 0 || !writing;
    binary = (flags & MODE_B) != 0;
    rawmode = reading && writing ? "rw" : reading ? "r" : "w";

    raw = PyObject_CallFunction((PyObject *)st->socketio_type, "Os", self,
                                rawmode);
    if (raw == NULL) {
        goto error;
    }
    /* From here on, dropping raw on an error path closes it, which gives
     * this count back through _decref_socketios(). */
    s->io_refs++;

    io = Py_NewRef(s->state->io_module);
    zero = PyLong_FromLong(0);
    if (zero == NULL) {
        goto error;
    }
    /* None means "the default"; so does any negative size. */
    buffering = vals[1];
    if (buffering == NULL || buffering == Py_None) {
        size = PyLong_FromLong(-1);
        if (size == NULL) {
            goto error;
        }
        buffering = size;
    }
    cmp = PyObject_RichCompareBool(buffering, zero, Py_LT);
    if (cmp < 0) {
        goto error;
    }
    if (cmp) {
        Py_XDECREF(size);
        size = PyObject_GetAttrString(io, "DEFAULT_BUFFER_SIZE");
        if (size == NULL) {
            goto error;
        }
        buffering = size;
    }
    cmp = PyObject_RichCompareBool(buffering, zero, Py_EQ);
    if (cmp < 0) {
        goto error;
    }
    if (cmp) {
        if (!binary) {
            PyErr_SetString(PyExc_ValueError,
                            "unbuffered streams must be binary");
            goto error;
        }
        text = raw;     /* hand raw back as the result */
        raw = NULL;
        goto done;
    }

    if (reading && writing) {
        cls = PyObject_GetAttrString(io, "BufferedRWPair");
        if (cls == NULL) {
            goto error;
        }
        buffer = PyObject_CallFunctionObjArgs(cls, raw, raw, buffering,
                                              NULL);
    }
    else if (reading) {
        /* Our own io.BufferedReader subclass (reader.c). */
        Py_ssize_t bufsize;

        if (csocket_index_to_ssize(buffering, &bufsize) < 0) {
            goto error;
        }
        buffer = csocket_reader_new(st, raw, bufsize);
    }
    else {
        cls = PyObject_GetAttrString(io, "BufferedWriter");
        if (cls == NULL) {
            goto error;
        }
        buffer = PyObject_CallFunctionObjArgs(cls, raw, buffering, NULL);
    }
    if (buffer == NULL) {
        goto error;
    }
    if (binary) {
        text = buffer;
        buffer = NULL;
        goto done;
    }
    Py_CLEAR(cls);
    cls = PyObject_GetAttrString(io, "TextIOWrapper");
    if (cls == NULL) {
        goto error;
    }
    text = PyObject_CallFunctionObjArgs(
        cls, buffer, vals[2] != NULL ? vals[2] : Py_None,
        vals[3] != NULL ? vals[3] : Py_None,
        vals[4] != NULL ? vals[4] : Py_None, NULL);
    if (text == NULL) {
        goto error;
    }
    if (PyObject_SetAttrString(text, "mode", mode) < 0) {
        goto error;
    }

done:
    Py_XDECREF(buffer);
    Py_XDECREF(raw);
    Py_XDECREF(cls);
    Py_XDECREF(size);
    Py_XDECREF(zero);
    Py_XDECREF(io);
    Py_XDECREF(default_mode);
    return text;

error:
    Py_CLEAR(text);
    goto done;
}
