/*
 * state.h - the binding layer's shared declarations: module state, the
 * socket object, and the functions each binding file offers the others.
 *
 * Conventions (see DESIGN.md): PyObject * functions return NULL with an
 * exception set; int helpers return 0 / -1 (exception set); O& converters
 * return 1 / 0 and are named *_converter.
 */
#ifndef CSOCKET_STATE_H
#define CSOCKET_STATE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>

#include "csock.h"

/* Per-module state (PEP 489).  No static PyObject * globals anywhere. */
typedef struct {
    PyTypeObject *socket_type;      /* csocket.socket */
    PyTypeObject *socketio_type;    /* csocket.SocketIO */
    PyTypeObject *reader_type;      /* makefile('rb')'s reader (reader.c) */
    PyObject *timeout_error;        /* _socket.timeout (TimeoutError 3.10+) */
    PyObject *gaierror;             /* _socket.gaierror, the very class */
    PyObject *herror;               /* _socket.herror, the very class */
    PyObject *io_module;            /* io, for makefile() */
    /* The enum classes, registered by csocket/__init__.py through
     * _csocket._register_enums(); NULL until then (plain ints are used). */
    PyObject *AddressFamily;
    PyObject *SocketKind;
    PyObject *MsgFlag;
    PyObject *AddressInfo;
    /* _GLOBAL_DEFAULT_TIMEOUT sentinel object. */
    PyObject *global_default_timeout;
    /* _GiveupOnSendfile exception class (sendfile.c). */
    PyObject *giveup_on_sendfile;
    /* setdefaulttimeout(): nanoseconds, or -1 for None (blocking). */
    int64_t default_timeout_ns;
} csocket_state;

extern PyModuleDef csocket_moduledef;

/* State lookup: from the module object, or from any instance of (a
 * subclass of) one of the module's heap types. */
csocket_state *csocket_get_state(PyObject *module);
csocket_state *csocket_state_from_type(PyTypeObject *tp);

/* The socket object.  fd == -1 once closed or detached. */
typedef struct {
    PyObject_HEAD
    int fd;
    int family;
    int type;
    int proto;
    /* -1: blocking; 0: non-blocking; > 0: timeout in nanoseconds. */
    int64_t timeout_ns;
    /* The stdlib's private attributes that libraries reach for. */
    Py_ssize_t io_refs;   /* _io_refs: open makefile() objects */
    char closed;          /* _closed: close() was called */
    /* Calls under way that use fd across a GIL release (a blocking
     * system call, a wait for readiness).  While there are any, close()
     * does not close fd: it shuts the socket down, which wakes them, and
     * leaves the close to the last of them (deferred_fd).  So a blocked
     * thread wakes up, and the descriptor number cannot be handed to a
     * new socket while a call may still use it. */
    int inflight;
    int deferred_fd;      /* -1, or the fd that close() left to them */
    /* csocket_fork_generation when inflight was counted: a count made
     * before a fork() belongs to the parent's threads, none of which
     * exists in the child. */
    unsigned long inflight_gen;
    PyObject *weakreflist;
    csocket_state *state; /* owning module's state (the type keeps the
                             module alive, and the instance the type). */
} csocket_socket;

#define CSOCKET_SOCKET_CHECK(st, o) PyObject_TypeCheck((o), (st)->socket_type)

/* ---- socket_type.c: bracket every use of s->fd that spans a GIL
 * release.  csocket_fd_hold() returns the descriptor (-1 when closed),
 * which stays this socket's until the matching csocket_fd_drop(): a
 * close() meanwhile only shuts it down (waking the holder) and marks
 * s->fd closed, and the last drop closes it.  Holders must check
 * s->fd == fd under the GIL before each new attempt, and stop (EBADF)
 * once it differs: the socket was closed or detached. */
extern volatile unsigned long csocket_fork_generation;

static inline int
csocket_fd_hold(csocket_socket *s)
{
    if (s->inflight_gen != csocket_fork_generation) {
        s->inflight = 0;        /* the parent's holders are not here */
        s->inflight_gen = csocket_fork_generation;
    }
    s->inflight++;
    return s->fd;
}
void csocket_fd_drop(csocket_socket *s);
/* Registers the fork handler that bumps csocket_fork_generation in a
 * child (once per process).  Returns 0 / -1. */
int csocket_fork_init(void);

/* ---- errors.c: every exception the binding raises goes through here. */
/* Raise OSError (its errno subclass) for err (a positive errno value);
 * returns NULL. */
PyObject *csocket_set_errno(int err);
/* Same for the core's negative return values: csocket_set_error(-r). */
#define csocket_set_core_error(r) csocket_set_errno((int)-(r))
/* Take the pending exception off the thread state as a normalized
 * exception object carrying its traceback (so that it can be kept,
 * grouped, raised again later), or NULL when none is pending. */
PyObject *csocket_take_exception(void);
/* Make exc (a stolen reference) the pending exception again, traceback
 * and context kept, as "raise exc" of a caught exception does. */
void csocket_give_exception(PyObject *exc);
/* Is the exception set an OSError whose errno is errno1 or errno2?  Then
 * clear it and return 1; otherwise leave it set and return 0. */
int csocket_clear_oserror(int errno1, int errno2);
/* socket.timeout("timed out"); returns NULL. */
PyObject *csocket_set_timeout(csocket_state *st);
/* socket.gaierror(code, gai_strerror(code)); EAI_SYSTEM raises OSError
 * from sys_errno instead.  Returns NULL. */
PyObject *csocket_set_gaierror(csocket_state *st, int code, int sys_errno);
/* socket.herror(code, hstrerror(code)); returns NULL. */
PyObject *csocket_set_herror(csocket_state *st, int code);

/* ---- call.c: the one loop every potentially blocking call goes
 * through.  fn makes one attempt and returns >= 0 or -errno.  The loop
 * releases the GIL, tries, and in timeout mode waits for readiness only
 * when the attempt would block; on EINTR it runs the signal handlers
 * (PEP 475) and retries with the remaining time.  Returns 0 with the
 * attempt's result in *result, or -1 with an exception set (timeout,
 * OSError, or whatever a signal handler raised). */
typedef ssize_t (*csocket_attempt_fn)(int fd, void *ctx);
/* Is r (a core -errno result) "would block"?  EAGAIN and EWOULDBLOCK are
 * the same value on Linux but not everywhere. */
static inline int
csocket_would_block(ssize_t r)
{
#if defined(EWOULDBLOCK) && EWOULDBLOCK != EAGAIN
    return r == -EAGAIN || r == -EWOULDBLOCK;
#else
    return r == -EAGAIN;
#endif
}
/* Values of the loop's for_write argument.  A read that returns 0
 * (end of file) after the socket was closed by another thread raises
 * EBADF: the close woke it, the peer did not end the stream.  accept()'s
 * result is a descriptor, and 0 is a valid one. */
#define CSOCKET_IO_READ 0
#define CSOCKET_IO_WRITE 1
#define CSOCKET_IO_ACCEPT 2
int csocket_call(csocket_socket *s, int for_write, csocket_attempt_fn fn,
                 void *ctx, ssize_t *result);
/* Same, with an explicit timeout (ns; -1 none) and deadline handling for
 * the caller: *deadline_ns is 0 on first use, then kept across calls
 * (sendall's whole-call deadline). */
int csocket_call_deadline(csocket_socket *s, int for_write,
                          csocket_attempt_fn fn, void *ctx, ssize_t *result,
                          int64_t *deadline_ns);
/* Wait until s's descriptor is ready, with the GIL released, until
 * deadline_ns (csock_monotonic_ns() time).  Returns 0 when ready, or -1
 * with an exception set: timeout, EBADF when the socket was closed
 * meanwhile, whatever a signal handler raised, or poll's own error. */
int csocket_wait_ready(csocket_socket *s, int for_write,
                       int64_t deadline_ns);
/* connect(2) with the stdlib's semantics, through the same loop.
 * raise_error: 1 for connect() (raises), 0 for connect_ex() (returns the
 * errno value, 0 on success, -1 only when an exception - e.g. from a
 * signal handler - is set). */
int csocket_connect_impl(csocket_socket *s, const struct sockaddr *sa,
                         socklen_t len, int raise_error);

/* ---- socket_type.c */
int csocket_socket_init_type(PyObject *module, csocket_state *st);
/* A new socket object (of the module's socket type) that owns fd; on
 * failure fd is NOT closed and NULL is returned. */
PyObject *csocket_socket_from_fd(csocket_state *st, int fd, int family,
                                 int type, int proto);
/* Raw recv_into / send on an exact csocket.socket object, through the
 * call loop; -1 with an exception set on failure. */
Py_ssize_t csocket_sock_recv_into_raw(csocket_socket *s, char *buf,
                                      Py_ssize_t len, int flags);
/* The same (flags 0), but a blocking socket first tries once without
 * releasing the GIL (MSG_DONTWAIT: it cannot sleep), and only waits,
 * GIL released, when nothing is there: for a reader that expects data to
 * be queued already (see reader.c). */
Py_ssize_t csocket_sock_recv_into_eager(csocket_socket *s, char *buf,
                                        Py_ssize_t len);
Py_ssize_t csocket_sock_send_raw(csocket_socket *s, const char *buf,
                                 Py_ssize_t len, int flags);
/* Converts a Python timeout (None or a non-negative number) to ns
 * (-1 for None); raises ValueError("Timeout value out of range") for
 * negative values, TypeError for other types.  Returns 0/-1. */
int csocket_timeout_from_object(PyObject *obj, int64_t *ns);
/* Learns the interpreter's wording of timeout overflow errors (once per
 * process; module exec calls it).  Returns 0 / -1. */
int csocket_timeout_init(void);
/* Timeout ns -> Python float or None. */
PyObject *csocket_timeout_to_object(int64_t ns);
/* Wrap an int in the registered enum class (if any); falls back to the
 * plain int when the value is not a member (as the stdlib does). */
PyObject *csocket_intenum(PyObject *enum_cls, int value);
/* The enum class's value -> member dict (borrowed), or NULL (no error)
 * when it has none; and csocket_intenum() with that map already fetched
 * (map may be NULL), for callers that convert many values. */
PyObject *csocket_enum_value_map(PyObject *enum_cls);
PyObject *csocket_intenum_map(PyObject *enum_cls, PyObject *map, int value);

/* ---- address.c: Python address objects <-> socket addresses. */
/* Convert the Python address addr for socket s (its family/proto) into
 * *out / *len.  caller names the method for error messages ("bind",
 * "connect", "connect_ex", "sendto", ...).  Returns 0 or -1.
 * Errors match the stdlib's: TypeError for a wrong shape, OverflowError
 * for a port outside 0-65535, gaierror for unresolvable hosts, ... */
int csocket_parse_address(csocket_socket *s, PyObject *addr,
                          csock_sockaddr *out, socklen_t *len,
                          const char *caller);
/* Same, for an explicit family/proto (used by module functions). */
int csocket_parse_address_family(csocket_state *st, int family, int proto,
                                 PyObject *addr, csock_sockaddr *out,
                                 socklen_t *len, const char *caller);
/* A socket address as the Python object the stdlib returns for it:
 * (host, port) for AF_INET, (host, port, flowinfo, scope_id) for
 * AF_INET6, str/bytes for AF_UNIX, the stdlib's forms for the other
 * families (address_families.c), (family, bytes) for unknown ones. */
PyObject *csocket_make_address(csocket_state *st, const struct sockaddr *sa,
                               socklen_t len, int proto);
/* Resolve a host name as the stdlib does for addresses: '' is
 * INADDR_ANY (for AF_INET/AF_UNSPEC... as the stdlib), '<broadcast>',
 * numeric forms fast, otherwise getaddrinfo.  af is AF_INET, AF_INET6 or
 * AF_UNSPEC.  Fills out (size outsize).  Returns the size of the
 * address written (> 0) or -1 with an exception set. */
int csocket_setipaddr(csocket_state *st, const char *name,
                      struct sockaddr *out, size_t outsize, int af);

/* ---- netdb.c: name service and conversion functions. */
extern PyMethodDef csocket_netdb_methods[];

/* ---- connect.c: create_connection, create_server, has_dualstack_ipv6,
 * socketpair, fromfd. */
extern PyMethodDef csocket_connect_methods[];

/* ---- socketio.c: the raw I/O object behind makefile(). */
int csocket_socketio_init_type(PyObject *module, csocket_state *st);
/* The SocketIO object (its fields are read by reader.c too). */
typedef struct {
    PyObject_HEAD
    /* _io._IOBase keeps its own instance fields (its __dict__ and weak
     * reference list) right after the object header.  Their layout is
     * private to io, so this only reserves room for them; the type's
     * creation checks that the room is enough, and io reaches them
     * through tp_dictoffset / tp_weaklistoffset as for any subclass. */
    void *iobase_fields[4];
    PyObject *sock;          /* _sock; NULL before __init__, after close() */
    PyObject *mode;          /* "rb", "wb" or "rwb"; NULL before __init__ */
    csocket_state *state;    /* owning module's state */
    char reading;            /* _reading */
    char writing;            /* _writing */
    char timeout_occurred;   /* _timeout_occurred */
    char closed;             /* io's close() has run (sio_setattro()) */
} csocket_socketio;

/* For the buffered reader (reader.c), given a SocketIO (or subclass)
 * instance.  csocket_sio_is_direct(raw): raw is exactly csocket.SocketIO
 * over exactly csocket.socket, so that csocket_sio_recv() may stand for
 * raw.readinto().
 * csocket_sio_recv(): readinto() into memory: the byte count, -2 where
 * readinto() returns None, -1 with an exception set. */
static inline int
csocket_sio_is_direct(PyObject *raw)
{
    csocket_socketio *sio = (csocket_socketio *)raw;

    return Py_IS_TYPE(raw, sio->state->socketio_type) && sio->sock != NULL
           && Py_IS_TYPE(sio->sock, sio->state->socket_type);
}
Py_ssize_t csocket_sio_recv(PyObject *raw, char *buf, Py_ssize_t len,
                            int eager);
/* raw.closed, given a SocketIO (or subclass) instance: 1 / 0 / -1. */
int csocket_sio_closed(PyObject *raw);

/* The type right below ours in op's type's bases, ours being the one
 * whose tp_dealloc is own (Python subclasses get their own tp_dealloc):
 * for our C subclasses of io's types. */
static inline PyTypeObject *
csocket_type_below(PyObject *op, destructor own)
{
    PyTypeObject *tp = Py_TYPE(op);

    while (tp->tp_dealloc != own) {
        tp = tp->tp_base;
    }
    return tp->tp_base;
}

/* An integer argument as a Py_ssize_t, the way Argument Clinic converts
 * one ("n"): __index__, then OverflowError "Python int too large to
 * convert to C ssize_t".  0 / -1. */
static inline int
csocket_index_to_ssize(PyObject *obj, Py_ssize_t *out)
{
    PyObject *index = PyNumber_Index(obj);

    if (index == NULL) {
        return -1;
    }
    *out = PyLong_AsSsize_t(index);
    Py_DECREF(index);
    return *out == -1 && PyErr_Occurred() ? -1 : 0;
}

/* ---- reader.c: makefile('rb')'s buffered reader, a C subclass of
 * io.BufferedReader with a buffer of its own. */
int csocket_reader_init_type(PyObject *module, csocket_state *st);
/* reader(raw, buffer_size): what makefile() calls io.BufferedReader for. */
PyObject *csocket_reader_new(csocket_state *st, PyObject *raw,
                             Py_ssize_t buffer_size);
/* s.makefile(mode='r', buffering=None, *, encoding=None, errors=None,
 * newline=None) */
PyObject *csocket_sock_makefile(PyObject *self, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames);

/* ---- sendfile.c: s.sendfile() and the stdlib's private helpers. */
/* Creates st->giveup_on_sendfile and adds it as _GiveupOnSendfile. */
int csocket_sendfile_init(PyObject *module, csocket_state *st);
/* s.sendfile(file, offset=0, count=None) -> int */
PyObject *csocket_sock_sendfile(PyObject *self, PyObject *const *args,
                                Py_ssize_t nargs, PyObject *kwnames);
/* s._sendfile_use_sendfile(file, offset=0, count=None) -> int */
PyObject *csocket_sock_sendfile_use_sendfile(PyObject *self,
                                             PyObject *const *args,
                                             Py_ssize_t nargs,
                                             PyObject *kwnames);
/* s._sendfile_use_send(file, offset=0, count=None) -> int */
PyObject *csocket_sock_sendfile_use_send(PyObject *self,
                                         PyObject *const *args,
                                         Py_ssize_t nargs,
                                         PyObject *kwnames);
/* s._check_sendfile_params(file, offset, count) */
PyObject *csocket_sock_check_sendfile_params(PyObject *self,
                                             PyObject *const *args,
                                             Py_ssize_t nargs,
                                             PyObject *kwnames);

/* ---- msg.c: sendmsg/recvmsg with ancillary data (socket methods), and
 * the module functions send_fds/recv_fds. */
PyObject *csocket_sock_sendmsg(PyObject *self, PyObject *const *args,
                               Py_ssize_t nargs);
PyObject *csocket_sock_sendmsg_afalg(PyObject *self, PyObject *const *args,
                                     Py_ssize_t nargs, PyObject *kwnames);
PyObject *csocket_sock_recvmsg(PyObject *self, PyObject *const *args,
                               Py_ssize_t nargs);
PyObject *csocket_sock_recvmsg_into(PyObject *self, PyObject *const *args,
                                    Py_ssize_t nargs);
extern PyMethodDef csocket_msg_methods[];

/* ---- constants.c: every constant of the stdlib module on this
 * platform, with equal values.  Returns 0 / -1. */
int csocket_add_constants(PyObject *module);

#endif /* CSOCKET_STATE_H */
