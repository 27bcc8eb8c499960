/*
 * socket_type.c - csocket.socket, a heap type written in C.
 *
 * One type carries what the stdlib splits between _socket.socket (C) and
 * socket.socket (Python): the system-call methods and the Python-level
 * layer (family/type as enum members, accept() building a new socket,
 * dup(), close() deferred while makefile() objects are open, the context
 * manager, the repr, refusing to be pickled).
 */
#include "state.h"
#include "address_families.h"
#include "args.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>

#define SELF ((csocket_socket *)self)

/* ------------------------------------------------------------------ */
/* Timeouts                                                             */

/* The interpreter's own words for a timeout it cannot represent, which
 * the stdlib passes on.  They differ between releases - even within 3.11
 * (3.11.2 says "too large to convert to C _PyTime_t" for a float, 3.11.7
 * "out of range for platform time_t") - so they are asked of the running
 * interpreter once: time.sleep() converts its argument the same way, and
 * a hugely negative value overflows before sleep() looks at its sign, so
 * the probe never sleeps (any other outcome keeps the default).  The
 * text is the same for every interpreter in the process. */
static char float_overflow_msg[128] =
    "timestamp out of range for platform time_t";
#if PY_VERSION_HEX >= 0x030D0000
static char int_overflow_msg[128] =
    "timestamp too large to convert to C PyTime_t";
#else
static char int_overflow_msg[128] =
    "timestamp too large to convert to C _PyTime_t";
#endif

static void
probe_overflow_msg(PyObject *sleep, PyObject *arg, char *buf, size_t size)
{
    PyObject *r, *type, *value, *tb, *text;
    const char *utf8;

    if (arg == NULL) {
        PyErr_Clear();
        return;
    }
    r = PyObject_CallOneArg(sleep, arg);
    Py_DECREF(arg);
    if (r != NULL) {
        Py_DECREF(r);           /* cannot happen: it would have slept */
        return;
    }
    if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
        PyErr_Clear();
        return;
    }
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    text = value != NULL ? PyObject_Str(value) : NULL;
    utf8 = text != NULL ? PyUnicode_AsUTF8(text) : NULL;
    if (utf8 != NULL && strlen(utf8) < size) {
        strcpy(buf, utf8);
    }
    PyErr_Clear();
    Py_XDECREF(text);
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

int
csocket_timeout_init(void)
{
    static int probed;
    PyObject *time_mod, *sleep;

    if (probed) {
        return 0;
    }
    time_mod = PyImport_ImportModule("time");
    if (time_mod == NULL) {
        return -1;
    }
    sleep = PyObject_GetAttrString(time_mod, "sleep");
    Py_DECREF(time_mod);
    if (sleep == NULL) {
        return -1;
    }
    probe_overflow_msg(sleep, PyFloat_FromDouble(-1e300), float_overflow_msg,
                       sizeof(float_overflow_msg));
    probe_overflow_msg(sleep, PyLong_FromDouble(-1e30), int_overflow_msg,
                       sizeof(int_overflow_msg));
    Py_DECREF(sleep);
    probed = 1;
    return 0;
}

int
csocket_timeout_from_object(PyObject *obj, int64_t *ns)
{
    if (obj == Py_None) {
        *ns = -1;
        return 0;
    }
    if (PyFloat_Check(obj)) {
        double d = PyFloat_AS_DOUBLE(obj);

        if (isnan(d)) {
            PyErr_SetString(PyExc_ValueError,
                            "Invalid value NaN (not a number)");
            return -1;
        }
        d = ceil(d * 1e9);
        /* Out of the clock's range either way is an overflow (-inf too);
         * only then does a negative value count as out of range. */
        if (!(d < 9223372036854775807.0) ||
            !(d >= -9223372036854775808.0)) {
            PyErr_SetString(PyExc_OverflowError, float_overflow_msg);
            return -1;
        }
        if (d < 0) {
            PyErr_SetString(PyExc_ValueError, "Timeout value out of range");
            return -1;
        }
        *ns = (int64_t)d;
        return 0;
    }
    else {
        PyObject *idx = PyNumber_Index(obj);
        long long v;
        int overflow = 0;

        if (idx == NULL) {
            return -1;
        }
        v = PyLong_AsLongLongAndOverflow(idx, &overflow);
        Py_DECREF(idx);
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (overflow > 0 || v > INT64_MAX / 1000000000) {
            PyErr_SetString(PyExc_OverflowError, int_overflow_msg);
            return -1;
        }
        if (overflow < 0 || v < 0) {
            if (overflow < 0 || v < INT64_MIN / 1000000000) {
                PyErr_SetString(PyExc_OverflowError, int_overflow_msg);
                return -1;
            }
            PyErr_SetString(PyExc_ValueError, "Timeout value out of range");
            return -1;
        }
        *ns = (int64_t)v * 1000000000;
        return 0;
    }
}

PyObject *
csocket_timeout_to_object(int64_t ns)
{
    if (ns < 0) {
        Py_RETURN_NONE;
    }
    return PyFloat_FromDouble((double)ns / 1e9);
}

/* The _value2member_map_ of an Enum class, borrowed, or NULL (no
 * exception) when it has none.  Calling an Enum class with a value first
 * looks the value up in that map and returns what it finds, so a lookup
 * here gives the same member without the Python-level call (about a
 * microsecond).  The map is read from the class's own namespace, where
 * EnumType puts it: an attribute lookup would go through the
 * metaclass's __getattr__ hook, which costs more than the rest. */
PyObject *
csocket_enum_value_map(PyObject *enum_cls)
{
    PyObject *map;

    if (enum_cls == NULL || !PyType_Check(enum_cls) ||
        ((PyTypeObject *)enum_cls)->tp_dict == NULL) {
        return NULL;
    }
    map = PyDict_GetItemString(((PyTypeObject *)enum_cls)->tp_dict,
                               "_value2member_map_");
    return map != NULL && PyDict_CheckExact(map) ? map : NULL;
}

/* csocket_intenum() with the map already fetched (map may be NULL): for
 * callers that convert several values of one enum. */
PyObject *
csocket_intenum_map(PyObject *enum_cls, PyObject *map, int value)
{
    PyObject *v = PyLong_FromLong(value);
    PyObject *r;

    if (v == NULL || enum_cls == NULL) {
        return v;
    }
    if (map != NULL) {
        r = PyDict_GetItemWithError(map, v);
        if (r != NULL) {
            Py_DECREF(v);
            return Py_NewRef(r);
        }
        if (PyErr_Occurred()) {
            Py_DECREF(v);
            return NULL;
        }
    }
    /* Not in the map: the call decides (_missing_, pseudo-members). */
    r = PyObject_CallOneArg(enum_cls, v);
    if (r == NULL && PyErr_ExceptionMatches(PyExc_ValueError)) {
        /* Not a member: the stdlib hands back the plain int. */
        PyErr_Clear();
        return v;
    }
    Py_DECREF(v);
    return r;
}

PyObject *
csocket_intenum(PyObject *enum_cls, int value)
{
    return csocket_intenum_map(enum_cls, csocket_enum_value_map(enum_cls),
                               value);
}

/* Apply a timeout to the descriptor: O_NONBLOCK in timeout and
 * non-blocking modes, blocking otherwise.  As the stdlib, the value is
 * recorded before the descriptor is touched. */
static int
apply_timeout(csocket_socket *s, int64_t ns)
{
    int r;

    s->timeout_ns = ns;
    r = csock_set_nonblocking(s->fd, ns >= 0);
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* Construction and destruction                                         */

static PyObject *
sock_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    csocket_socket *s;

    (void)args;
    (void)kwds;
    s = (csocket_socket *)type->tp_alloc(type, 0);
    if (s == NULL) {
        return NULL;
    }
    s->fd = -1;
    s->family = 0;
    s->type = 0;
    s->proto = 0;
    s->timeout_ns = -1;
    s->io_refs = 0;
    s->closed = 0;
    s->inflight = 0;
    s->deferred_fd = -1;
    s->inflight_gen = csocket_fork_generation;
    s->weakreflist = NULL;
    s->state = csocket_state_from_type(type);
    if (s->state == NULL) {
        Py_DECREF(s);
        return NULL;
    }
    return (PyObject *)s;
}

/* Fill in a socket object around an open descriptor and apply the
 * module's default timeout. */
static int
sock_setup(csocket_socket *s, int fd, int family, int type, int proto)
{
    int64_t timeout = s->state->default_timeout_ns;

    s->fd = fd;
    s->family = family;
    s->proto = proto;
#ifdef SOCK_NONBLOCK
    /* The flags given to socket() are not part of the type (3.7+); a
     * SOCK_NONBLOCK socket starts in non-blocking mode. */
    if (type & SOCK_NONBLOCK) {
        timeout = 0;
    }
    type &= ~SOCK_NONBLOCK;
#endif
#ifdef SOCK_CLOEXEC
    type &= ~SOCK_CLOEXEC;
#endif
    s->type = type;
    s->timeout_ns = timeout;
    if (timeout >= 0) {
        return apply_timeout(s, timeout);
    }
    return 0;
}

/* The arguments of socket(family=-1, type=-1, proto=-1, fileno=None)
 * into out[0..3] (NULL where not given).  The stdlib's socket class is
 * Python, so its argument errors are those of a Python function named
 * socket.__init__, checked in CPython's order: keywords first (unknown,
 * then given twice), then the positional count.  Plain positional calls,
 * the usual socket(AF_INET, SOCK_STREAM), take the first branch only and
 * need no parser.  Returns 0 or -1. */
static int
init_args(PyObject *args, PyObject *kwds, PyObject **out)
{
    static const char *const names[] = {"family", "type", "proto",
                                        "fileno"};
    Py_ssize_t n = PyTuple_GET_SIZE(args), i, pos = 0;
    PyObject *key, *value;

    for (i = 0; i < 4; i++) {
        out[i] = i < n ? PyTuple_GET_ITEM(args, i) : NULL;
    }
    if (kwds != NULL) {
        while (PyDict_Next(kwds, &pos, &key, &value)) {
            if (!PyUnicode_Check(key)) {
                PyErr_SetString(PyExc_TypeError,
                                "keywords must be strings");
                return -1;
            }
            for (i = 0; i < 4; i++) {
                if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0) {
                    break;
                }
            }
            if (i == 4) {
                PyErr_Format(PyExc_TypeError,
                             "socket.__init__() got an unexpected keyword "
                             "argument '%S'", key);
                return -1;
            }
            if (out[i] != NULL) {
                PyErr_Format(PyExc_TypeError,
                             "socket.__init__() got multiple values for "
                             "argument '%s'", names[i]);
                return -1;
            }
            out[i] = value;
        }
    }
    if (n > 4) {
        PyErr_Format(PyExc_TypeError,
                     "socket.__init__() takes from 1 to 5 positional "
                     "arguments but %zd were given", n + 1);
        return -1;
    }
    return 0;
}

/* socket(family=-1, type=-1, proto=-1, fileno=None) */
static int
sock_init(PyObject *self, PyObject *args, PyObject *kwds)
{
    csocket_socket *s = SELF;
    PyObject *a[4];
    PyObject *fdobj = NULL, *fobj = NULL, *tobj = NULL, *pobj = NULL;
    int family = -1, type = -1, proto = -1;
    int fd;

    if (init_args(args, kwds, a) < 0) {
        return -1;
    }
    fobj = a[0];
    tobj = a[1];
    pobj = a[2];
    fdobj = a[3];
    if ((fobj != NULL && csocket_as_c_int(fobj, &family) < 0) ||
        (tobj != NULL && csocket_as_c_int(tobj, &type) < 0) ||
        (pobj != NULL && csocket_as_c_int(pobj, &proto) < 0)) {
        return -1;
    }
    /* Without a descriptor the defaults are filled in before the audit
     * event, as the stdlib reports them. */
    if (fdobj == NULL || fdobj == Py_None) {
        if (family == -1) {
            family = AF_INET;
        }
        if (type == -1) {
            type = SOCK_STREAM;
        }
        if (proto == -1) {
            proto = 0;
        }
    }
    if (PySys_Audit("socket.__new__", "Oiii", self, family, type,
                    proto) < 0) {
        return -1;
    }
    if (fdobj != NULL && fdobj != Py_None) {
        int r;
        long v;
        PyObject *idx;

        if (PyFloat_Check(fdobj)) {
            PyErr_SetString(PyExc_TypeError, "'float' object cannot be "
                            "interpreted as an integer");
            return -1;
        }
        idx = PyNumber_Index(fdobj);
        if (idx == NULL) {
            return -1;
        }
        v = PyLong_AsLong(idx);
        Py_DECREF(idx);
        if (v == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (v < 0) {
            PyErr_SetString(PyExc_ValueError, "negative file descriptor");
            return -1;
        }
        if (v > INT_MAX) {
            /* Never a descriptor: what the kernel says of a bad one. */
            csocket_set_errno(ENOTSOCK);
            return -1;
        }
        fd = (int)v;
        r = csock_query(fd, family == -1 ? &family : NULL,
                        type == -1 ? &type : NULL,
                        proto == -1 ? &proto : NULL);
        if (r == 0 && (family != -1 || type != -1)) {
            /* The descriptor must be a socket even when the caller named
             * everything: the stdlib checks it the same way. */
            int dummy;
            r = csock_query(fd, NULL, &dummy, NULL);
        }
        if (r < 0) {
            csocket_set_core_error(r);
            return -1;
        }
    }
    else {
        Py_BEGIN_ALLOW_THREADS
        fd = csock_socket(family, type, proto);
        Py_END_ALLOW_THREADS
        if (fd < 0) {
            csocket_set_core_error(fd);
            return -1;
        }
    }
    if (sock_setup(s, fd, family, type, proto) < 0) {
        /* The descriptor now belongs to the object, which closes it. */
        return -1;
    }
    return 0;
}

PyObject *
csocket_socket_from_fd(csocket_state *st, int fd, int family, int type,
                       int proto)
{
    csocket_socket *s;

    s = (csocket_socket *)sock_new(st->socket_type, NULL, NULL);
    if (s == NULL) {
        return NULL;
    }
    if (sock_setup(s, fd, family, type, proto) < 0) {
        s->fd = -1;          /* the caller keeps the descriptor */
        Py_DECREF(s);
        return NULL;
    }
    return (PyObject *)s;
}

static void
sock_finalize(PyObject *self)
{
    csocket_socket *s = SELF;
    PyObject *exc_type, *exc_value, *exc_tb;

    if (s->deferred_fd >= 0) {
        /* Cannot happen (a holder owns a reference), but never leak. */
        (void)csock_close(s->deferred_fd);
        s->deferred_fd = -1;
    }
    if (s->fd < 0) {
        return;
    }
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    if (PyErr_ResourceWarning(self, 1, "unclosed %R", self) < 0) {
        /* A warning turned into an error: report it and carry on. */
        if (PyErr_ExceptionMatches(PyExc_Warning)) {
            PyErr_WriteUnraisable(self);
        }
        PyErr_Clear();
    }
    if (s->fd >= 0) {
        int fd = s->fd;
        s->fd = -1;
        (void)csock_close(fd);
    }
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

static void
sock_dealloc(PyObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);

    if (PyObject_CallFinalizerFromDealloc(self) < 0) {
        return;     /* resurrected */
    }
    if (SELF->weakreflist != NULL) {
        PyObject_ClearWeakRefs(self);
    }
    tp->tp_free(self);
    Py_DECREF(tp);
}

/* ------------------------------------------------------------------ */
/* Closing                                                              */

/* Bumped in the child of every fork(): see inflight_gen in state.h. */
volatile unsigned long csocket_fork_generation;

static void
after_fork_in_child(void)
{
    csocket_fork_generation++;
}

int
csocket_fork_init(void)
{
    static int registered;

    if (!registered) {
        if (pthread_atfork(NULL, NULL, after_fork_in_child) != 0) {
            PyErr_SetString(PyExc_RuntimeError,
                            "cannot register a fork handler");
            return -1;
        }
        registered = 1;
    }
    return 0;
}

/* Is a call in this process holding s's descriptor? */
static int
held_here(csocket_socket *s)
{
    return s->inflight > 0 && s->inflight_gen == csocket_fork_generation;
}

void
csocket_fd_drop(csocket_socket *s)
{
    if (s->inflight_gen != csocket_fork_generation) {
        /* Taken before a fork, dropped in the child: the count was
         * reset when the child first held it, or is the parent's. */
        return;
    }
    if (--s->inflight == 0 && s->deferred_fd >= 0) {
        int fd = s->deferred_fd;

        /* The last call that used it after close(): close it now.  Its
         * error (if any) has no one to go to; close() returned long ago. */
        s->deferred_fd = -1;
        Py_BEGIN_ALLOW_THREADS
        (void)csock_close(fd);
        Py_END_ALLOW_THREADS
    }
}

/* s._real_close(): close the descriptor now - or, while other threads
 * are blocked on it, shut it down to wake them and let the last of them
 * close it (see csocket_fd_hold in state.h). */
static PyObject *
sock_real_close(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    csocket_socket *s = SELF;
    int fd = s->fd;

    if (fd >= 0) {
        int r;

        s->fd = -1;
        if (held_here(s) && s->deferred_fd < 0) {
            /* Set before the shutdown, under the GIL: a holder cannot
             * drop in between and miss it. */
            s->deferred_fd = fd;
            (void)csock_shutdown(fd, SHUT_RDWR);
            Py_RETURN_NONE;
        }
        Py_BEGIN_ALLOW_THREADS
        r = csock_close(fd);
        Py_END_ALLOW_THREADS
        /* ECONNRESET only says the peer went first; the descriptor is
         * closed all the same (the stdlib ignores it too). */
        if (r < 0 && r != -ECONNRESET) {
            return csocket_set_core_error(r);
        }
    }
    Py_RETURN_NONE;
}

/* Call _real_close, through the method when a subclass (ssl.SSLSocket,
 * for one) may have overridden it. */
static PyObject *
call_real_close(PyObject *self)
{
    if (Py_TYPE(self) == SELF->state->socket_type) {
        return sock_real_close(self, NULL);
    }
    return PyObject_CallMethod(self, "_real_close", NULL);
}

/* s.close() */
static PyObject *
sock_close(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    SELF->closed = 1;
    if (SELF->io_refs <= 0) {
        return call_real_close(self);
    }
    Py_RETURN_NONE;
}

/* s._decref_socketios() */
static PyObject *
sock_decref_socketios(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    if (SELF->io_refs > 0) {
        SELF->io_refs--;
    }
    if (SELF->closed) {
        return sock_close(self, NULL);
    }
    Py_RETURN_NONE;
}

/* s.detach() -> int */
static PyObject *
sock_detach(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    int fd = SELF->fd;

    SELF->closed = 1;
    SELF->fd = -1;
    return PyLong_FromLong(fd);
}

/* s.fileno() -> int */
static PyObject *
sock_fileno(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyLong_FromLong(SELF->fd);
}

static PyObject *
sock_enter(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return Py_NewRef(self);
}

static PyObject *
sock_exit(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)args;
    (void)nargs;
    if (!SELF->closed) {
        if (Py_TYPE(self) == SELF->state->socket_type) {
            return sock_close(self, NULL);
        }
        return PyObject_CallMethod(self, "close", NULL);
    }
    Py_RETURN_NONE;
}

/* s.__getstate__(): sockets cannot be pickled. */
static PyObject *
sock_getstate(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    PyObject *name = PyObject_GetAttrString((PyObject *)Py_TYPE(self),
                                            "__name__");

    if (name != NULL) {
        PyErr_Format(PyExc_TypeError, "cannot pickle %R object", name);
        Py_DECREF(name);
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Attributes                                                           */

static PyObject *
sock_get_family(PyObject *self, void *Py_UNUSED(closure))
{
    return csocket_intenum(SELF->state->AddressFamily, SELF->family);
}

static PyObject *
sock_get_type(PyObject *self, void *Py_UNUSED(closure))
{
    return csocket_intenum(SELF->state->SocketKind, SELF->type);
}

static PyObject *
sock_get_proto(PyObject *self, void *Py_UNUSED(closure))
{
    return PyLong_FromLong(SELF->proto);
}

static PyObject *
sock_get_timeout(PyObject *self, void *Py_UNUSED(closure))
{
    return csocket_timeout_to_object(SELF->timeout_ns);
}

/* __weakref__, as Python classes with that slot have it. */
static PyObject *
sock_get_weakref(PyObject *self, void *Py_UNUSED(closure))
{
    return Py_NewRef(SELF->weakreflist ? SELF->weakreflist : Py_None);
}

/* An address of the socket for its repr, or NULL (no error set) when
 * there is none. */
static PyObject *
repr_address(csocket_socket *s, int peer)
{
    csock_sockaddr sa;
    socklen_t len = sizeof(sa);
    PyObject *addr;
    int r;

    if (csocket_getsockaddrlen(s, &len) < 0) {
        PyErr_Clear();
        return NULL;
    }
    len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    r = peer ? csock_getpeername(s->fd, &sa.sa, &len)
             : csock_getsockname(s->fd, &sa.sa, &len);
    if (r < 0) {
        return NULL;
    }
    addr = csocket_make_address(s->state, &sa.sa, len, s->proto);
    if (addr == NULL) {
        PyErr_Clear();
    }
    return addr;
}

/* The stdlib's repr: <module.qualname [closed] fd=N, family=F, type=T,
 * proto=P[, laddr=...[, raddr=...]]> */
static PyObject *
sock_repr(PyObject *self)
{
    csocket_socket *s = SELF;
    PyObject *tp = (PyObject *)Py_TYPE(self);
    PyObject *module = NULL, *qualname = NULL, *family = NULL;
    PyObject *type = NULL, *laddr = NULL, *raddr = NULL, *r = NULL;

    module = PyObject_GetAttrString(tp, "__module__");
    qualname = module ? PyObject_GetAttrString(tp, "__qualname__") : NULL;
    family = qualname ? sock_get_family(self, NULL) : NULL;
    type = family ? sock_get_type(self, NULL) : NULL;
    if (type == NULL) {
        goto done;
    }
    r = PyUnicode_FromFormat("<%S.%S%s fd=%d, family=%S, type=%S, proto=%d",
                             module, qualname,
                             s->closed ? " [closed]" : "", s->fd, family,
                             type, s->proto);
    /* As the stdlib: each address that exists and is not empty, in its
     * str() form. */
    if (r != NULL && s->fd >= 0) {
        laddr = repr_address(s, 0);
        raddr = repr_address(s, 1);
        if (laddr != NULL && PyObject_IsTrue(laddr) == 1) {
            Py_SETREF(r, PyUnicode_FromFormat("%U, laddr=%S", r, laddr));
        }
        if (r != NULL && raddr != NULL && PyObject_IsTrue(raddr) == 1) {
            Py_SETREF(r, PyUnicode_FromFormat("%U, raddr=%S", r, raddr));
        }
    }
    if (r != NULL) {
        Py_SETREF(r, PyUnicode_FromFormat("%U>", r));
    }
done:
    Py_XDECREF(module);
    Py_XDECREF(qualname);
    Py_XDECREF(family);
    Py_XDECREF(type);
    Py_XDECREF(laddr);
    Py_XDECREF(raddr);
    return r;
}

/* ------------------------------------------------------------------ */
/* Modes                                                                */

/* s.settimeout(value) */
static PyObject *
sock_settimeout(PyObject *self, PyObject *arg)
{
    int64_t ns;

    if (csocket_timeout_from_object(arg, &ns) < 0) {
        return NULL;
    }
    if (apply_timeout(SELF, ns) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* s.gettimeout() -> float or None */
static PyObject *
sock_gettimeout(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return csocket_timeout_to_object(SELF->timeout_ns);
}

/* s.setblocking(flag) */
static PyObject *
sock_setblocking(PyObject *self, PyObject *arg)
{
    long block;

#if PY_VERSION_HEX >= 0x030C0000
    /* 3.12 takes any truth value. */
    block = PyObject_IsTrue(arg);
    if (block < 0) {
        return NULL;
    }
#else
    if (PyFloat_Check(arg)) {
        PyErr_SetString(PyExc_TypeError,
                        "'float' object cannot be interpreted as an integer");
        return NULL;
    }
    block = PyLong_AsLong(arg);
    if (block == -1 && PyErr_Occurred()) {
        return NULL;
    }
#endif
    if (apply_timeout(SELF, block ? -1 : 0) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

/* s.getblocking() -> bool */
static PyObject *
sock_getblocking(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return PyBool_FromLong(SELF->timeout_ns != 0);
}

/* s.get_inheritable() -> bool */
static PyObject *
sock_get_inheritable(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    int r = csock_get_inheritable(SELF->fd);

    if (r < 0) {
        return csocket_set_core_error(r);
    }
    return PyBool_FromLong(r);
}

/* s.set_inheritable(inheritable) */
static PyObject *
sock_set_inheritable(PyObject *self, PyObject *arg)
{
    int flag, r;

    /* os.set_inheritable() takes an int: any integer, nothing else. */
    if (csocket_as_int(arg, &flag) < 0) {
        return NULL;
    }
    r = csock_set_inheritable(SELF->fd, flag);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* Addresses, binding, connecting                                       */

/* s.bind(address) */
static PyObject *
sock_bind(PyObject *self, PyObject *addr)
{
    csock_sockaddr sa;
    socklen_t len;
    int r;

    if (csocket_parse_address(SELF, addr, &sa, &len, "bind") < 0) {
        return NULL;
    }
    if (PySys_Audit("socket.bind", "OO", self, addr) < 0) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_bind(SELF->fd, &sa.sa, len);
    Py_END_ALLOW_THREADS
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

/* s.listen([backlog]) */
static PyObject *
sock_listen(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int backlog = SOMAXCONN < 128 ? SOMAXCONN : 128;
    int r;

    if (csocket_check_nargs("listen", nargs, 0, 1) < 0) {
        return NULL;
    }
    if (nargs == 1 && csocket_as_int(args[0], &backlog) < 0) {
        return NULL;
    }
    /* A negative backlog means 0, as in the stdlib. */
    if (backlog < 0) {
        backlog = 0;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_listen(SELF->fd, backlog);
    Py_END_ALLOW_THREADS
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

static PyObject *
connect_common(PyObject *self, PyObject *addr, int raise_error,
               const char *caller)
{
    csock_sockaddr sa;
    socklen_t len;
    int r;

    if (csocket_parse_address(SELF, addr, &sa, &len, caller) < 0) {
        return NULL;
    }
    if (PySys_Audit("socket.connect", "OO", self, addr) < 0) {
        return NULL;
    }
    if (SELF->fd < 0) {
        if (raise_error) {
            return csocket_set_errno(EBADF);
        }
        return PyLong_FromLong(EBADF);
    }
    r = csocket_connect_impl(SELF, &sa.sa, len, raise_error);
    if (r < 0) {
        return NULL;
    }
    if (raise_error) {
        Py_RETURN_NONE;
    }
    return PyLong_FromLong(r);
}

/* s.connect(address) */
static PyObject *
sock_connect(PyObject *self, PyObject *addr)
{
    return connect_common(self, addr, 1, "connect");
}

/* s.connect_ex(address) -> errno */
static PyObject *
sock_connect_ex(PyObject *self, PyObject *addr)
{
    return connect_common(self, addr, 0, "connect_ex");
}

static PyObject *
name_common(PyObject *self, int peer)
{
    csock_sockaddr sa;
    socklen_t len = sizeof(sa);
    int r;

    if (csocket_getsockaddrlen(SELF, &len) < 0) {
        return NULL;
    }
    len = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    r = peer ? csock_getpeername(SELF->fd, &sa.sa, &len)
             : csock_getsockname(SELF->fd, &sa.sa, &len);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    return csocket_make_address_fast(SELF->state, &sa.sa, len,
                                     SELF->proto);
}

/* s.getsockname() -> address */
static PyObject *
sock_getsockname(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return name_common(self, 0);
}

/* s.getpeername() -> address */
static PyObject *
sock_getpeername(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    return name_common(self, 1);
}

/* s.shutdown(how) */
static PyObject *
sock_shutdown(PyObject *self, PyObject *arg)
{
    int how, r;

    if (csocket_as_c_int(arg, &how) < 0) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_shutdown(SELF->fd, how);
    Py_END_ALLOW_THREADS
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

/* ------------------------------------------------------------------ */
/* accept                                                               */

typedef struct {
    csock_sockaddr sa;
    socklen_t len;
} accept_ctx;

static ssize_t
accept_attempt(int fd, void *p)
{
    accept_ctx *c = p;

    c->len = sizeof(c->sa);
    return csock_accept(fd, &c->sa.sa, &c->len);
}

/* Accept one connection: the new descriptor and the peer's address. */
static int
accept_raw(PyObject *self, int *nfd, PyObject **addr)
{
    accept_ctx c;
    ssize_t r;

    if (csocket_getsockaddrlen(SELF, &c.len) < 0) {
        return -1;
    }
    memset(&c.sa, 0, sizeof(c.sa));
    if (csocket_call(SELF, CSOCKET_IO_ACCEPT, accept_attempt, &c, &r) < 0) {
        return -1;
    }
    *nfd = (int)r;
    if (c.len == 0) {
        /* AF_UNIX peers without a name. */
        *addr = Py_NewRef(Py_None);
    }
    else {
        *addr = csocket_make_address_fast(SELF->state, &c.sa.sa, c.len,
                                          SELF->proto);
    }
    if (*addr == NULL) {
        (void)csock_close(*nfd);
        return -1;
    }
    return 0;
}

/* s._accept() -> (fd, address) */
static PyObject *
sock_accept_fd(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    int nfd;
    PyObject *addr, *fdobj, *res;

    if (accept_raw(self, &nfd, &addr) < 0) {
        return NULL;
    }
    fdobj = PyLong_FromLong(nfd);
    if (fdobj == NULL) {
        (void)csock_close(nfd);
        Py_DECREF(addr);
        return NULL;
    }
    res = PyTuple_Pack(2, fdobj, addr);
    Py_DECREF(fdobj);
    Py_DECREF(addr);
    if (res == NULL) {
        (void)csock_close(nfd);
    }
    return res;
}

/* s.accept() -> (socket, address) */
static PyObject *
sock_accept(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    csocket_state *st = SELF->state;
    int nfd;
    PyObject *addr, *sock, *res;

    if (accept_raw(self, &nfd, &addr) < 0) {
        return NULL;
    }
    /* The stdlib builds the new socket through socket(family, type,
     * proto, fileno=fd): the module's socket type, the default timeout;
     * and when there is no default timeout but the listening socket has
     * one, the new socket is blocking. */
    sock = csocket_socket_from_fd(st, nfd, SELF->family, SELF->type,
                                  SELF->proto);
    if (sock == NULL) {
        (void)csock_close(nfd);
        Py_DECREF(addr);
        return NULL;
    }
    if (st->default_timeout_ns < 0 && SELF->timeout_ns > 0) {
        if (apply_timeout((csocket_socket *)sock, -1) < 0) {
            Py_DECREF(sock);
            Py_DECREF(addr);
            return NULL;
        }
    }
    res = PyTuple_Pack(2, sock, addr);
    Py_DECREF(sock);
    Py_DECREF(addr);
    return res;
}

/* s.dup() -> socket */
static PyObject *
sock_dup(PyObject *self, PyObject *Py_UNUSED(ignored))
{
    csocket_socket *s = SELF;
    PyObject *res, *timeout;
    int nfd = csock_dup(s->fd);

    if (nfd < 0) {
        return csocket_set_core_error(nfd);
    }
    /* Like the stdlib: self.__class__(family, type, proto, fileno=fd),
     * then the same timeout. */
    res = PyObject_CallFunction((PyObject *)Py_TYPE(self), "iiii",
                                s->family, s->type, s->proto, nfd);
    if (res == NULL) {
        (void)csock_close(nfd);
        return NULL;
    }
    timeout = csocket_timeout_to_object(s->timeout_ns);
    if (timeout == NULL) {
        Py_DECREF(res);
        return NULL;
    }
    if (PyObject_TypeCheck(res, s->state->socket_type)) {
        if (apply_timeout((csocket_socket *)res, s->timeout_ns) < 0) {
            Py_DECREF(res);
            res = NULL;
        }
    }
    else {
        PyObject *t = PyObject_CallMethod(res, "settimeout", "O", timeout);
        if (t == NULL) {
            Py_CLEAR(res);
        }
        Py_XDECREF(t);
    }
    Py_DECREF(timeout);
    return res;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                            */

typedef struct {
    char *buf;
    size_t len;
    int flags;
    csock_sockaddr sa;
    socklen_t salen;
} io_ctx;

static ssize_t
recv_attempt(int fd, void *p)
{
    io_ctx *c = p;

    return csock_recv(fd, c->buf, c->len, c->flags);
}

static ssize_t
recvfrom_attempt(int fd, void *p)
{
    io_ctx *c = p;

    c->salen = sizeof(c->sa);
    return csock_recvfrom(fd, c->buf, c->len, c->flags, &c->sa.sa,
                          &c->salen);
}

static ssize_t
send_attempt(int fd, void *p)
{
    io_ctx *c = p;

    return csock_send(fd, c->buf, c->len, c->flags);
}

static ssize_t
sendto_attempt(int fd, void *p)
{
    io_ctx *c = p;

    return csock_sendto(fd, c->buf, c->len, c->flags, &c->sa.sa, c->salen);
}

#ifdef MSG_DONTWAIT
/* One attempt of fn on c with MSG_DONTWAIT, the GIL held (it cannot
 * sleep).  Returns 1 when it went through; 0 when it would block, or when
 * a signal interrupted it and the handlers returned (*result tells which:
 * the core's would-block value or -EINTR); -1 with an exception set (the
 * call's error, EBADF on a closed socket, or a handler's exception).
 * *result is the attempt's return value. */
static int
attempt_nowait(csocket_socket *s, csocket_attempt_fn fn, io_ctx *c,
               ssize_t *result)
{
    int flags = c->flags;
    ssize_t r;

    if (s->fd < 0) {
        *result = -EBADF;
        csocket_set_errno(EBADF);
        return -1;
    }
    c->flags = flags | MSG_DONTWAIT;
    r = fn(s->fd, c);
    c->flags = flags;
    *result = r;
    if (r >= 0) {
        return 1;
    }
    if (r == -EINTR) {
        return PyErr_CheckSignals() < 0 ? -1 : 0;
    }
    if (!csocket_would_block(r)) {
        csocket_set_core_error(r);
        return -1;
    }
    return 0;
}
#endif

/*
 * Run one I/O call (fn on c) with the semantics of the call loop
 * (csocket_call_deadline), and a short cut for sockets in non-blocking
 * or timeout mode: their attempts are made with the GIL held.  Each such
 * attempt carries MSG_DONTWAIT, so it cannot sleep whatever the
 * descriptor's flags say (another descriptor sharing the open file
 * description may have cleared O_NONBLOCK); on Linux the kernel turns
 * O_NONBLOCK into exactly that flag for send/recv, so the call is the one
 * the loop would have made.  Releasing and re-taking the GIL around a
 * call that returns at once is most of the cost of a small send or recv.
 * Only the wait for readiness (timeout mode) releases the GIL; the
 * descriptor is read again after it, so a socket closed meanwhile gives
 * EBADF.  Blocking sockets go through the loop: their calls can sleep,
 * and must do so without the GIL.
 *
 * deadline_ns: as for csocket_call_deadline (NULL for a one-call
 * deadline).  Returns 0 with the result in *result, or -1 with an
 * exception set.
 */
static int
io_call(csocket_socket *s, int for_write, csocket_attempt_fn fn, io_ctx *c,
        ssize_t *result, int64_t *deadline_ns)
{
    int64_t local_deadline = 0;
    int64_t *deadline = deadline_ns != NULL ? deadline_ns : &local_deadline;

#ifdef MSG_DONTWAIT
    /* Read once: the mode of the call is the mode it started in. */
    int64_t timeout = s->timeout_ns;

    if (timeout >= 0) {
        for (;;) {
            ssize_t r;
            int rc = attempt_nowait(s, fn, c, &r);

            if (rc != 0) {
                *result = r;
                return rc > 0 ? 0 : -1;
            }
            if (r == -EINTR) {
                continue;
            }
            if (timeout == 0) {
                csocket_set_core_error(r);
                return -1;
            }
            /* The deadline starts with the first wait (the attempt
             * before it returned at once), unless the caller runs one
             * for a longer call (sendall). */
            if (*deadline == 0) {
                *deadline = csock_monotonic_ns() + timeout;
            }
            if (csocket_wait_ready(s, for_write, *deadline) < 0) {
                return -1;
            }
        }
    }
#endif
    return csocket_call_deadline(s, for_write, fn, c, result, deadline);
}

Py_ssize_t
csocket_sock_recv_into_raw(csocket_socket *s, char *buf, Py_ssize_t len,
                           int flags)
{
    io_ctx c;
    ssize_t r;

    /* Asking for nothing returns at once, data or not (as the stdlib):
     * recv(2) with a zero length would wait for data on Linux. */
    if (len == 0) {
        return 0;
    }
    c.buf = buf;
    c.len = (size_t)len;
    c.flags = flags;
    if (io_call(s, 0, recv_attempt, &c, &r, NULL) < 0) {
        return -1;
    }
    return r;
}

Py_ssize_t
csocket_sock_recv_into_eager(csocket_socket *s, char *buf, Py_ssize_t len)
{
#ifdef MSG_DONTWAIT
    if (s->timeout_ns < 0 && len > 0) {
        /* An error is raised here (a reset, say: it is consumed by this
         * attempt and would not be seen again); an interrupted attempt
         * has run the handlers before the wait below. */
        io_ctx c;
        ssize_t r;
        int rc;

        c.buf = buf;
        c.len = (size_t)len;
        c.flags = 0;
        rc = attempt_nowait(s, recv_attempt, &c, &r);
        if (rc != 0) {
            return rc > 0 ? r : -1;
        }
    }
#endif
    return csocket_sock_recv_into_raw(s, buf, len, 0);
}

Py_ssize_t
csocket_sock_send_raw(csocket_socket *s, const char *buf, Py_ssize_t len,
                      int flags)
{
    io_ctx c;
    ssize_t r;

    c.buf = (char *)buf;
    c.len = (size_t)len;
    c.flags = flags;
    if (io_call(s, 1, send_attempt, &c, &r, NULL) < 0) {
        return -1;
    }
    return r;
}

/* Parse (bufsize[, flags]) for recv and recvfrom. */
static int
parse_bufsize_flags(const char *name, PyObject *const *args,
                    Py_ssize_t nargs, Py_ssize_t *size, int *flags)
{
    if (csocket_check_nargs(name, nargs, 1, 2) < 0) {
        return -1;
    }
    if (csocket_as_ssize(args[0], size) < 0) {
        return -1;
    }
    *flags = 0;
    if (nargs == 2 && csocket_as_int(args[1], flags) < 0) {
        return -1;
    }
    if (*size < 0) {
        PyErr_Format(PyExc_ValueError, "negative buffersize in %s", name);
        return -1;
    }
    return 0;
}

/* s.recv(bufsize[, flags]) -> bytes */
static PyObject *
sock_recv(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t size, n;
    int flags;
    PyObject *buf;

    if (parse_bufsize_flags("recv", args, nargs, &size, &flags) < 0) {
        return NULL;
    }
    buf = PyBytes_FromStringAndSize(NULL, size);
    if (buf == NULL) {
        return NULL;
    }
    n = csocket_sock_recv_into_raw(SELF, PyBytes_AS_STRING(buf), size,
                                   flags);
    if (n < 0) {
        Py_DECREF(buf);
        return NULL;
    }
    if (n != size && _PyBytes_Resize(&buf, n) < 0) {
        return NULL;
    }
    return buf;
}

/* The peer address of a recvfrom, None when the kernel gave none. */
static PyObject *
from_address(csocket_socket *s, io_ctx *c)
{
    if (c->salen == 0) {
        Py_RETURN_NONE;
    }
    return csocket_make_address_fast(s->state, &c->sa.sa, c->salen,
                                     s->proto);
}

/* s.recvfrom(bufsize[, flags]) -> (bytes, address) */
static PyObject *
sock_recvfrom(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_ssize_t size;
    ssize_t n;
    int flags;
    PyObject *buf, *addr, *res;
    io_ctx c;

    if (parse_bufsize_flags("recvfrom", args, nargs, &size, &flags) < 0 ||
        csocket_getsockaddrlen(SELF, &c.salen) < 0) {
        return NULL;
    }
    buf = PyBytes_FromStringAndSize(NULL, size);
    if (buf == NULL) {
        return NULL;
    }
    memset(&c.sa, 0, sizeof(c.sa));
    c.buf = PyBytes_AS_STRING(buf);
    c.len = (size_t)size;
    c.flags = flags;
    if (io_call(SELF, 0, recvfrom_attempt, &c, &n, NULL) < 0) {
        Py_DECREF(buf);
        return NULL;
    }
    addr = from_address(SELF, &c);
    if (addr == NULL) {
        Py_DECREF(buf);
        return NULL;
    }
    if (n != size && _PyBytes_Resize(&buf, n) < 0) {
        Py_DECREF(addr);
        return NULL;
    }
    res = PyTuple_Pack(2, buf, addr);
    Py_DECREF(buf);
    Py_DECREF(addr);
    return res;
}

/* Parse (buffer[, nbytes[, flags]]) for recv_into and recvfrom_into;
 * on success the caller releases *view. */
static int
parse_into_args(const char *name, PyObject *const *args, Py_ssize_t nargs,
                PyObject *kwnames, Py_buffer *view, Py_ssize_t *nbytes,
                int *flags)
{
    static const char *const names[] = {"buffer", "nbytes", "flags", NULL};
    PyObject *a[3];

    if (csocket_gather_args(name, args, nargs, kwnames, names, 1, 3, a) < 0) {
        return -1;
    }
    *nbytes = 0;
    *flags = 0;
    if (PyObject_GetBuffer(a[0], view, PyBUF_WRITABLE) < 0) {
        PyErr_Clear();
        PyErr_Format(PyExc_TypeError,
                     "%s() argument 1 must be read-write bytes-like object, "
                     "not %.50s", name,
                     a[0] == Py_None ? "None" : Py_TYPE(a[0])->tp_name);
        return -1;
    }
    if ((a[1] != NULL && csocket_as_ssize(a[1], nbytes) < 0) ||
        (a[2] != NULL && csocket_as_int(a[2], flags) < 0)) {
        PyBuffer_Release(view);
        return -1;
    }
    if (*nbytes < 0) {
        PyErr_Format(PyExc_ValueError, "negative buffersize in %s", name);
        PyBuffer_Release(view);
        return -1;
    }
    if (*nbytes == 0) {
        *nbytes = view->len;
    }
    else if (*nbytes > view->len) {
        PyErr_SetString(PyExc_ValueError,
                        name[4] == 'f'
                            ? "nbytes is greater than the length of the "
                              "buffer"
                            : "buffer too small for requested bytes");
        PyBuffer_Release(view);
        return -1;
    }
    return 0;
}

/* s.recv_into(buffer[, nbytes[, flags]]) -> int */
static PyObject *
sock_recv_into(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
               PyObject *kwnames)
{
    Py_buffer view;
    Py_ssize_t nbytes, n;
    int flags;

    if (parse_into_args("recv_into", args, nargs, kwnames, &view, &nbytes,
                        &flags) < 0) {
        return NULL;
    }
    n = csocket_sock_recv_into_raw(SELF, view.buf, nbytes, flags);
    PyBuffer_Release(&view);
    if (n < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(n);
}

/* s.recvfrom_into(buffer[, nbytes[, flags]]) -> (int, address) */
static PyObject *
sock_recvfrom_into(PyObject *self, PyObject *const *args, Py_ssize_t nargs,
                   PyObject *kwnames)
{
    Py_buffer view;
    Py_ssize_t nbytes;
    ssize_t n;
    int flags;
    io_ctx c;
    PyObject *addr;

    if (parse_into_args("recvfrom_into", args, nargs, kwnames, &view,
                        &nbytes, &flags) < 0) {
        return NULL;
    }
    if (csocket_getsockaddrlen(SELF, &c.salen) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    memset(&c.sa, 0, sizeof(c.sa));
    c.buf = view.buf;
    c.len = (size_t)nbytes;
    c.flags = flags;
    if (io_call(SELF, 0, recvfrom_attempt, &c, &n, NULL) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    PyBuffer_Release(&view);
    addr = from_address(SELF, &c);
    if (addr == NULL) {
        return NULL;
    }
    return Py_BuildValue("(nN)", (Py_ssize_t)n, addr);
}

/* ------------------------------------------------------------------ */
/* Sending                                                              */

static int
get_send_buffer(PyObject *obj, Py_buffer *view)
{
    return PyObject_GetBuffer(obj, view, PyBUF_SIMPLE);
}

/* s.send(data[, flags]) -> int */
static PyObject *
sock_send(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    int flags = 0;
    Py_ssize_t n;

    if (csocket_check_nargs("send", nargs, 1, 2) < 0) {
        return NULL;
    }
    if (get_send_buffer(args[0], &view) < 0) {
        return NULL;
    }
    if (nargs == 2 && csocket_as_int(args[1], &flags) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    n = csocket_sock_send_raw(SELF, view.buf, view.len, flags);
    PyBuffer_Release(&view);
    if (n < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(n);
}

/* s.sendall(data[, flags]) */
static PyObject *
sock_sendall(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    int flags = 0;
    io_ctx c;
    int64_t deadline = 0;
    Py_ssize_t done = 0;

    if (csocket_check_nargs("sendall", nargs, 1, 2) < 0) {
        return NULL;
    }
    if (get_send_buffer(args[0], &view) < 0) {
        return NULL;
    }
    if (nargs == 2 && csocket_as_int(args[1], &flags) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    c.flags = flags;
    /* The timeout is a deadline for the whole call, not per send(); it
     * starts now, even though the first attempt may not need it. */
    if (SELF->timeout_ns > 0) {
        deadline = csock_monotonic_ns() + SELF->timeout_ns;
    }
    do {
        ssize_t n;

        c.buf = (char *)view.buf + done;
        c.len = (size_t)(view.len - done);
        if (io_call(SELF, 1, send_attempt, &c, &n, &deadline) < 0) {
            PyBuffer_Release(&view);
            return NULL;
        }
        done += n;
        /* Between chunks, give signal handlers their chance (PEP 475:
         * a handler's exception interrupts sendall). */
        if (done < view.len && PyErr_CheckSignals() < 0) {
            PyBuffer_Release(&view);
            return NULL;
        }
    } while (done < view.len);
    PyBuffer_Release(&view);
    Py_RETURN_NONE;
}

/* The commonest sendto() address, ('a.b.c.d', port) on an AF_INET
 * socket, parsed without the general path's allocations.  Only a form
 * whose outcome is certain takes this way - an exact tuple of an ASCII
 * str that is a dotted quad and an exact int port in range - and it
 * yields the very address the general path would (that path also tries
 * the text as a dotted quad first, with the same strict parser rules as
 * inet_pton).  Everything else, errors included, goes the general way.
 * Returns 1 when *c was filled, 0 otherwise (no exception set). */
static int
inet4_address_fast(csocket_socket *s, PyObject *addr, io_ctx *c)
{
    PyObject *host, *port;
    unsigned char ip[4];
    long p;

    if (s->family != AF_INET || !PyTuple_CheckExact(addr) ||
        PyTuple_GET_SIZE(addr) != 2) {
        return 0;
    }
    host = PyTuple_GET_ITEM(addr, 0);
    port = PyTuple_GET_ITEM(addr, 1);
    if (!PyUnicode_CheckExact(host) || !PyLong_CheckExact(port)) {
        return 0;
    }
#if PY_VERSION_HEX < 0x030C0000
    if (!PyUnicode_IS_READY(host)) {
        return 0;
    }
#endif
    if (!PyUnicode_IS_ASCII(host) || PyUnicode_GET_LENGTH(host) > 15 ||
        csock_inet_pton4((const char *)PyUnicode_DATA(host),
                         (size_t)PyUnicode_GET_LENGTH(host), ip) < 0) {
        return 0;
    }
    p = PyLong_AsLong(port);
    if (p < 0 || p > 65535) {
        PyErr_Clear();      /* an overflow: the general path reports it */
        return 0;
    }
    memset(&c->sa.in4, 0, sizeof(c->sa.in4));
    c->sa.in4.sin_family = AF_INET;
    c->sa.in4.sin_port = htons((uint16_t)p);
    memcpy(&c->sa.in4.sin_addr, ip, 4);
    c->salen = (socklen_t)sizeof(c->sa.in4);
    return 1;
}

/* s.sendto(data[, flags], address) -> int */
static PyObject *
sock_sendto(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    Py_buffer view;
    int flags = 0;
    PyObject *addr;
    io_ctx c;
    ssize_t n;

    if (nargs != 2 && nargs != 3) {
        PyErr_Format(PyExc_TypeError,
                     "sendto() takes 2 or 3 arguments (%zd given)", nargs);
        return NULL;
    }
    if (get_send_buffer(args[0], &view) < 0) {
        return NULL;
    }
    if (nargs == 3 && csocket_as_int(args[1], &flags) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    addr = args[nargs - 1];
    if (!inet4_address_fast(SELF, addr, &c) &&
        csocket_parse_address(SELF, addr, &c.sa, &c.salen, "sendto") < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    if (PySys_Audit("socket.sendto", "OO", self, addr) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    c.buf = view.buf;
    c.len = (size_t)view.len;
    c.flags = flags;
    if (io_call(SELF, 1, sendto_attempt, &c, &n, NULL) < 0) {
        PyBuffer_Release(&view);
        return NULL;
    }
    PyBuffer_Release(&view);
    return PyLong_FromSsize_t(n);
}

/* ------------------------------------------------------------------ */
/* Options                                                              */

/* s.setsockopt(level, option, value: int | buffer)
 * s.setsockopt(level, option, None, optlen: int) */
static PyObject *
sock_setsockopt(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int level, opt, r;

    if (nargs != 3 && nargs != 4) {
        PyErr_Format(PyExc_TypeError,
                     "setsockopt() takes exactly 3 arguments (%zd given)",
                     nargs);
        return NULL;
    }
    if (csocket_as_int(args[0], &level) < 0 ||
        csocket_as_int(args[1], &opt) < 0) {
        return NULL;
    }
    if (nargs == 4) {
        unsigned int optlen;
        long v;

        if (args[2] != Py_None) {
            PyErr_Format(PyExc_TypeError,
                         "setsockopt() takes exactly 3 arguments (%zd given)",
                         nargs);
            return NULL;
        }
        v = PyLong_AsLong(args[3]);
        if (v == -1 && PyErr_Occurred()) {
            return NULL;
        }
        if (v < 0 || v > UINT_MAX) {
            PyErr_SetString(PyExc_OverflowError,
                            "optlen out of range for an unsigned int");
            return NULL;
        }
        optlen = (unsigned int)v;
        r = csock_setsockopt(SELF->fd, level, opt, NULL, optlen);
    }
    else if (PyIndex_Check(args[2])) {
        int flag;

        /* Anything with __index__ is an int here, as for the stdlib's
         * "i" format; the descriptor is read after the conversion, which
         * runs Python code that may close the socket. */
        if (csocket_as_int(args[2], &flag) < 0) {
            /* Not an int after all (too big, or __index__ raised): the
             * stdlib then asks for a buffer. */
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "a bytes-like object is required, not '%.200s'",
                         Py_TYPE(args[2])->tp_name);
            return NULL;
        }
        r = csock_setsockopt(SELF->fd, level, opt, &flag, sizeof(flag));
    }
    else {
        Py_buffer view;

        if (PyObject_GetBuffer(args[2], &view, PyBUF_SIMPLE) < 0) {
            return NULL;
        }
        if ((size_t)view.len > (socklen_t)-1) {
            PyBuffer_Release(&view);
            PyErr_SetString(PyExc_OverflowError,
                            "socket option is too large");
            return NULL;
        }
        r = csock_setsockopt(SELF->fd, level, opt, view.buf,
                             (socklen_t)view.len);
        PyBuffer_Release(&view);
    }
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

/* s.getsockopt(level, option[, buflen]) -> int or bytes */
static PyObject *
sock_getsockopt(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    int level, opt, buflen = 0, r;

    if (csocket_check_nargs("getsockopt", nargs, 2, 3) < 0) {
        return NULL;
    }
    if (csocket_as_int(args[0], &level) < 0 ||
        csocket_as_int(args[1], &opt) < 0 ||
        (nargs == 3 && csocket_as_int(args[2], &buflen) < 0)) {
        return NULL;
    }
    if (buflen == 0) {
        int v = 0;
        socklen_t len = sizeof(v);

        r = csock_getsockopt(SELF->fd, level, opt, &v, &len);
        if (r < 0) {
            return csocket_set_core_error(r);
        }
        return PyLong_FromLong(v);
    }
    if (buflen < 0 || buflen > 1024) {
        PyErr_SetString(PyExc_OSError, "getsockopt buflen out of range");
        return NULL;
    }
    else {
        PyObject *buf = PyBytes_FromStringAndSize(NULL, buflen);
        socklen_t len = (socklen_t)buflen;

        if (buf == NULL) {
            return NULL;
        }
        r = csock_getsockopt(SELF->fd, level, opt, PyBytes_AS_STRING(buf),
                             &len);
        if (r < 0) {
            Py_DECREF(buf);
            return csocket_set_core_error(r);
        }
        if ((Py_ssize_t)len != buflen &&
            _PyBytes_Resize(&buf, (Py_ssize_t)len) < 0) {
            return NULL;
        }
        return buf;
    }
}

/* ------------------------------------------------------------------ */
/* The type                                                             */

static PyMethodDef sock_methods[] = {
    {"_accept", sock_accept_fd, METH_NOARGS,
     "_accept() -> (integer, address info)\n\nAccept a connection and "
     "return the new descriptor and the peer address."},
    {"accept", sock_accept, METH_NOARGS,
     "accept() -> (socket object, address info)\n\nWait for an incoming "
     "connection."},
    {"bind", sock_bind, METH_O, "bind(address)\n\nBind the socket."},
    {"close", sock_close, METH_NOARGS, "close()\n\nClose the socket."},
    {"_real_close", sock_real_close, METH_NOARGS,
     "Close the descriptor now."},
    {"_decref_socketios", sock_decref_socketios, METH_NOARGS,
     "Drop one makefile() reference."},
    {"connect", sock_connect, METH_O,
     "connect(address)\n\nConnect the socket to a remote address."},
    {"connect_ex", sock_connect_ex, METH_O,
     "connect_ex(address) -> errno\n\nLike connect, returning an error "
     "code instead of raising."},
    {"detach", sock_detach, METH_NOARGS,
     "detach()\n\nClose the socket object without closing the descriptor."},
    {"dup", sock_dup, METH_NOARGS, "dup() -> socket object"},
    {"fileno", sock_fileno, METH_NOARGS, "fileno() -> integer"},
    {"getpeername", sock_getpeername, METH_NOARGS,
     "getpeername() -> address info"},
    {"getsockname", sock_getsockname, METH_NOARGS,
     "getsockname() -> address info"},
    {"getsockopt", (PyCFunction)(void (*)(void))sock_getsockopt,
     METH_FASTCALL, "getsockopt(level, option[, buffersize]) -> value"},
    {"getblocking", sock_getblocking, METH_NOARGS,
     "getblocking()\n\nTrue if the socket is in blocking mode."},
    {"gettimeout", sock_gettimeout, METH_NOARGS,
     "gettimeout() -> timeout"},
    {"get_inheritable", sock_get_inheritable, METH_NOARGS,
     "Get the inheritable flag of the socket"},
    {"set_inheritable", sock_set_inheritable, METH_O,
     "Set the inheritable flag of the socket"},
    {"listen", (PyCFunction)(void (*)(void))sock_listen, METH_FASTCALL,
     "listen([backlog])\n\nEnable a server to accept connections."},
    {"makefile", (PyCFunction)(void (*)(void))csocket_sock_makefile,
     METH_FASTCALL | METH_KEYWORDS,
     "makefile(mode='r', buffering=None, *, encoding=None, errors=None, "
     "newline=None)\n\nReturn an I/O stream connected to the socket."},
    {"recv", (PyCFunction)(void (*)(void))sock_recv, METH_FASTCALL,
     "recv(buffersize[, flags]) -> data"},
    {"recv_into", (PyCFunction)(void (*)(void))sock_recv_into,
     METH_FASTCALL | METH_KEYWORDS,
     "recv_into(buffer, [nbytes[, flags]]) -> nbytes_read"},
    {"recvfrom", (PyCFunction)(void (*)(void))sock_recvfrom, METH_FASTCALL,
     "recvfrom(buffersize[, flags]) -> (data, address info)"},
    {"recvfrom_into", (PyCFunction)(void (*)(void))sock_recvfrom_into,
     METH_FASTCALL | METH_KEYWORDS,
     "recvfrom_into(buffer[, nbytes[, flags]]) -> (nbytes, address info)"},
    {"send", (PyCFunction)(void (*)(void))sock_send, METH_FASTCALL,
     "send(data[, flags]) -> count"},
    {"sendall", (PyCFunction)(void (*)(void))sock_sendall, METH_FASTCALL,
     "sendall(data[, flags])"},
    {"sendto", (PyCFunction)(void (*)(void))sock_sendto, METH_FASTCALL,
     "sendto(data[, flags], address) -> count"},
    {"sendmsg", (PyCFunction)(void (*)(void))csocket_sock_sendmsg,
     METH_FASTCALL,
     "sendmsg(buffers[, ancdata[, flags[, address]]]) -> count"},
    {"sendmsg_afalg",
     (PyCFunction)(void (*)(void))csocket_sock_sendmsg_afalg,
     METH_FASTCALL | METH_KEYWORDS,
     "sendmsg_afalg([msg], *, op[, iv[, assoclen[, flags=MSG_MORE]]])"},
    {"recvmsg", (PyCFunction)(void (*)(void))csocket_sock_recvmsg,
     METH_FASTCALL,
     "recvmsg(bufsize[, ancbufsize[, flags]]) -> "
     "(data, ancdata, msg_flags, address)"},
    {"recvmsg_into", (PyCFunction)(void (*)(void))csocket_sock_recvmsg_into,
     METH_FASTCALL,
     "recvmsg_into(buffers[, ancbufsize[, flags]]) -> "
     "(nbytes, ancdata, msg_flags, address)"},
    {"sendfile", (PyCFunction)(void (*)(void))csocket_sock_sendfile,
     METH_FASTCALL | METH_KEYWORDS,
     "sendfile(file[, offset[, count]]) -> sent\n\nSend a file, with "
     "os.sendfile() where possible, else with send()."},
    {"_sendfile_use_sendfile",
     (PyCFunction)(void (*)(void))csocket_sock_sendfile_use_sendfile,
     METH_FASTCALL | METH_KEYWORDS, NULL},
    {"_sendfile_use_send",
     (PyCFunction)(void (*)(void))csocket_sock_sendfile_use_send,
     METH_FASTCALL | METH_KEYWORDS, NULL},
    {"_check_sendfile_params",
     (PyCFunction)(void (*)(void))csocket_sock_check_sendfile_params,
     METH_FASTCALL | METH_KEYWORDS, NULL},
    {"setblocking", sock_setblocking, METH_O, "setblocking(flag)"},
    {"settimeout", sock_settimeout, METH_O, "settimeout(timeout)"},
    {"setsockopt", (PyCFunction)(void (*)(void))sock_setsockopt,
     METH_FASTCALL,
     "setsockopt(level, option, value: int)\n"
     "setsockopt(level, option, value: buffer)\n"
     "setsockopt(level, option, None, optlen: int)"},
    {"shutdown", sock_shutdown, METH_O, "shutdown(flag)"},
    {"__enter__", sock_enter, METH_NOARGS, NULL},
    {"__exit__", (PyCFunction)(void (*)(void))sock_exit, METH_FASTCALL,
     NULL},
    {"__getstate__", sock_getstate, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}
};

static PyMemberDef sock_members[] = {
    {"_io_refs", T_PYSSIZET, offsetof(csocket_socket, io_refs), 0, NULL},
    {"_closed", T_BOOL, offsetof(csocket_socket, closed), 0, NULL},
    {"__weaklistoffset__", T_PYSSIZET,
     offsetof(csocket_socket, weakreflist), READONLY, NULL},
    {NULL, 0, 0, 0, NULL}
};

static PyGetSetDef sock_getset[] = {
    {"family", sock_get_family, NULL, "the socket family", NULL},
    {"type", sock_get_type, NULL, "the socket type", NULL},
    {"proto", sock_get_proto, NULL, "the socket protocol", NULL},
    {"timeout", sock_get_timeout, NULL, "the socket timeout", NULL},
    {"__weakref__", sock_get_weakref, NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL}
};

static PyType_Slot sock_slots[] = {
    {Py_tp_new, sock_new},
    {Py_tp_init, sock_init},
    {Py_tp_dealloc, sock_dealloc},
    {Py_tp_finalize, sock_finalize},
    {Py_tp_repr, sock_repr},
    {Py_tp_methods, sock_methods},
    {Py_tp_members, sock_members},
    {Py_tp_getset, sock_getset},
    {Py_tp_doc,
     "socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)\n\n"
     "A socket object, as in the stdlib's socket module."},
    {0, NULL}
};

static PyType_Spec sock_spec = {
    .name = "csocket.socket",
    .basicsize = sizeof(csocket_socket),
    .itemsize = 0,
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = sock_slots,
};

int
csocket_socket_init_type(PyObject *module, csocket_state *st)
{
    PyObject *tp = PyType_FromModuleAndSpec(module, &sock_spec, NULL);

    if (tp == NULL) {
        return -1;
    }
    st->socket_type = (PyTypeObject *)tp;
    /* The stdlib's class declares these slots; code that introspects
     * __slots__ (copy helpers, surface checks) finds the same names. */
    {
        PyObject *slots = Py_BuildValue("(sss)", "__weakref__", "_io_refs",
                                        "_closed");
        int r = slots ? PyObject_SetAttrString(tp, "__slots__", slots) : -1;

        Py_XDECREF(slots);
        if (r < 0) {
            return -1;
        }
    }
    if (PyModule_AddObjectRef(module, "socket", tp) < 0 ||
        PyModule_AddObjectRef(module, "SocketType", tp) < 0) {
        return -1;
    }
    return 0;
}
