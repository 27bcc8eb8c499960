/*
 * connect.c - the module-level helpers that the stdlib writes in Python
 * (in socket.py rather than _socket): create_connection, create_server,
 * has_dualstack_ipv6, socketpair and fromfd.
 *
 * create_connection, create_server and has_dualstack_ipv6 are built from
 * the module's public objects (socket, getaddrinfo, has_dualstack_ipv6)
 * and the socket's methods, called through the C API.  They look those
 * objects up at call time, in the public package when it is imported (see
 * lookup_global), just as the stdlib's functions read socket.py's
 * globals: code that patches socket.socket or socket.getaddrinfo (test
 * suites do, with unittest.mock) sees its patch honoured, and a mock's or
 * subclass's methods are the ones called.  socketpair and fromfd work on
 * descriptors, so they go straight to the core and wrap the result.
 *
 * The functions take their arguments exactly as a Python function does
 * (any parameter by keyword, the same TypeError messages), since that is
 * what the stdlib's callers have always seen.
 */
#include "state.h"
#include "args.h"

#include <errno.h>
#include <limits.h>

/* Unpack obj into exactly n new references, as "a, b = obj" does, with
 * the same exceptions and messages (the stdlib unpacks the address and
 * each getaddrinfo entry that way). */
static int
unpack(PyObject *obj, Py_ssize_t n, PyObject **out)
{
    PyObject *it, *item;
    Py_ssize_t got;

    if (PyTuple_CheckExact(obj) && PyTuple_GET_SIZE(obj) == n) {
        for (got = 0; got < n; got++) {
            out[got] = PyTuple_GET_ITEM(obj, got);
            Py_INCREF(out[got]);
        }
        return 0;
    }
    it = PyObject_GetIter(obj);
    if (it == NULL) {
        /* The interpreter words this failure differently from iter()'s
         * message when the object is not iterable at all. */
        if (PyErr_ExceptionMatches(PyExc_TypeError) &&
            Py_TYPE(obj)->tp_iter == NULL && !PySequence_Check(obj)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "cannot unpack non-iterable %.200s object",
                         Py_TYPE(obj)->tp_name);
        }
        return -1;
    }
    for (got = 0; got < n; got++) {
        item = PyIter_Next(it);
        if (item == NULL) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_ValueError,
                             "not enough values to unpack "
                             "(expected %zd, got %zd)", n, got);
            }
            goto error;
        }
        out[got] = item;
    }
    item = PyIter_Next(it);
    if (item != NULL) {
        Py_DECREF(item);
        PyErr_Format(PyExc_ValueError,
                     "too many values to unpack (expected %zd)", n);
        goto error;
    }
    if (PyErr_Occurred()) {
        goto error;
    }
    Py_DECREF(it);
    return 0;

error:
    while (got > 0) {
        Py_DECREF(out[--got]);
    }
    Py_DECREF(it);
    return -1;
}

/* ------------------------------------------------------------------ */
/* Helpers for working with the module's objects.                      */

/* The object the stdlib's socket.py function would find as the global
 * `name`.  The public package (the parent of this extension module, e.g.
 * csocket for csocket._csocket) re-exports everything and is what users
 * import and patch, so it is searched first; the extension module itself
 * is the fallback (while the package is still being imported, or when the
 * extension is loaded on its own).  Returns a new reference or NULL. */
static PyObject *
lookup_global(PyObject *module, const char *name)
{
    PyObject *modname, *parent = NULL, *pkg = NULL, *obj;
    Py_ssize_t dot;

    modname = PyModule_GetNameObject(module);
    if (modname == NULL) {
        return NULL;
    }
    dot = PyUnicode_FindChar(modname, '.', 0, PyUnicode_GET_LENGTH(modname),
                             -1);
    if (dot > 0) {
        parent = PyUnicode_Substring(modname, 0, dot);
        if (parent == NULL) {
            Py_DECREF(modname);
            return NULL;
        }
        pkg = PyImport_GetModule(parent);
        Py_DECREF(parent);
        if (pkg == NULL && PyErr_Occurred()) {
            Py_DECREF(modname);
            return NULL;
        }
    }
    Py_DECREF(modname);
    if (pkg != NULL) {
        obj = PyObject_GetAttrString(pkg, name);
        Py_DECREF(pkg);
        if (obj != NULL || !PyErr_ExceptionMatches(PyExc_AttributeError)) {
            return obj;
        }
        PyErr_Clear();
    }
    return PyObject_GetAttrString(module, name);
}

/* Call sock.close() while an exception is pending, as the stdlib's
 * "except error: sock.close(); raise" does, and leave the pending
 * exception in place.  Should close() itself raise, its exception
 * propagates instead, with the first one as its __context__, as Python
 * chains them. */
static void
close_keeping_error(PyObject *sock)
{
    PyObject *pending = csocket_take_exception();
    PyObject *res = PyObject_CallMethod(sock, "close", NULL);

    if (res != NULL) {
        Py_DECREF(res);
        if (pending != NULL) {
            csocket_give_exception(pending);
        }
        return;
    }
    if (pending != NULL) {
        PyObject *closing = csocket_take_exception();

        if (closing != NULL) {
            PyException_SetContext(closing, pending);
            csocket_give_exception(closing);
        }
        else {
            csocket_give_exception(pending);
        }
    }
}

/* sock.setsockopt(level, opt, value) through the method, so that a
 * subclass or a mock sees the call.  Returns 0 or -1. */
static int
call_setsockopt(PyObject *sock, int level, int opt, int value)
{
    PyObject *res = PyObject_CallMethod(sock, "setsockopt", "iii", level,
                                        opt, value);

    if (res == NULL) {
        return -1;
    }
    Py_DECREF(res);
    return 0;
}

/* cls(family, type[, proto]): a new socket from the (possibly patched)
 * socket class; a NULL proto is left out of the call (it ends the
 * argument list).  family is an object because create_server passes the
 * caller's value through unchanged. */
static PyObject *
new_socket(PyObject *cls, PyObject *family, int type, PyObject *proto)
{
    PyObject *t = PyLong_FromLong(type);
    PyObject *sock;

    if (t == NULL) {
        return NULL;
    }
    sock = PyObject_CallFunctionObjArgs(cls, family, t, proto, NULL);
    Py_DECREF(t);
    return sock;
}

/* ------------------------------------------------------------------ */
/* create_connection                                                   */

/* One attempt of create_connection: a socket for one getaddrinfo entry,
 * with the timeout and source address applied, connected to sa.  Returns
 * the connected socket, or NULL with the exception set (the socket, if
 * one was made, is closed). */
static PyObject *
try_connect(csocket_state *st, PyObject *cls, PyObject *const *entry,
            PyObject *timeout, PyObject *source)
{
    PyObject *family = entry[0], *type = entry[1], *proto = entry[2];
    PyObject *sa = entry[4];
    PyObject *sock, *res;
    int bind_first;

    sock = PyObject_CallFunctionObjArgs(cls, family, type, proto, NULL);
    if (sock == NULL) {
        return NULL;
    }
    if (timeout != st->global_default_timeout) {
        res = PyObject_CallMethod(sock, "settimeout", "(O)", timeout);
        if (res == NULL) {
            goto error;
        }
        Py_DECREF(res);
    }
    bind_first = PyObject_IsTrue(source);
    if (bind_first < 0) {
        goto error;
    }
    if (bind_first) {
        res = PyObject_CallMethod(sock, "bind", "(O)", source);
        if (res == NULL) {
            goto error;
        }
        Py_DECREF(res);
    }
    res = PyObject_CallMethod(sock, "connect", "(O)", sa);
    if (res == NULL) {
        goto error;
    }
    Py_DECREF(res);
    return sock;

error:
    /* The stdlib closes the socket only for OSError and leaves other
     * failures (a bad timeout, say) to the garbage collector; closing it
     * every time is the same minus the ResourceWarning. */
    close_keeping_error(sock);
    Py_DECREF(sock);
    return NULL;
}

PyDoc_STRVAR(create_connection_doc,
"create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT,\n"
"                  source_address=None, *, all_errors=False) -> socket\n"
"\n"
"Connect to address, a (host, port) pair, and return the socket.\n"
"\n"
"Every address getaddrinfo() gives for host and port is tried in turn,\n"
"both IPv4 and IPv6, until one connects.  timeout, when given, is set on\n"
"the socket before connecting; by default the global default timeout\n"
"(see setdefaulttimeout()) applies.  source_address, a (host, port)\n"
"pair, is bound before connecting when it is true.  When every attempt\n"
"fails, the last error is raised, or with all_errors=True an\n"
"ExceptionGroup holding all of them.");

/* create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT,
 *                   source_address=None, *, all_errors=False) -> socket */
static PyObject *
csocket_create_connection(PyObject *module, PyObject *const *args,
                          Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {
        "address", "timeout", "source_address", "all_errors"};
    static const csocket_pysig params = {
        "create_connection", names, 3, 1, 1, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *argv[4];
    PyObject *hostport[2] = {NULL, NULL};
    PyObject *timeout, *source;
    PyObject *getaddrinfo = NULL, *cls = NULL, *infos = NULL, *it = NULL;
    PyObject *info = NULL, *errors = NULL, *sock = NULL;
    PyObject *stream = NULL, *zero = NULL;
    int all_errors = 0;

    if (csocket_pyfunc_args(&params, args, nargs, kwnames, argv) < 0) {
        return NULL;
    }
    timeout = argv[1] != NULL ? argv[1] : st->global_default_timeout;
    source = argv[2] != NULL ? argv[2] : Py_None;
    if (argv[3] != NULL) {
        all_errors = PyObject_IsTrue(argv[3]);
        if (all_errors < 0) {
            return NULL;
        }
    }
    if (unpack(argv[0], 2, hostport) < 0) {
        return NULL;
    }
    errors = PyList_New(0);
    if (errors == NULL) {
        goto done;
    }
    getaddrinfo = lookup_global(module, "getaddrinfo");
    if (getaddrinfo == NULL) {
        goto done;
    }
    stream = PyLong_FromLong(SOCK_STREAM);
    zero = PyLong_FromLong(0);
    if (stream == NULL || zero == NULL) {
        goto done;
    }
    infos = PyObject_CallFunctionObjArgs(getaddrinfo, hostport[0],
                                         hostport[1], zero, stream, NULL);
    if (infos == NULL) {
        goto done;
    }
    it = PyObject_GetIter(infos);
    if (it == NULL) {
        goto done;
    }
    cls = lookup_global(module, "socket");
    if (cls == NULL) {
        goto done;
    }
    while ((info = PyIter_Next(it)) != NULL) {
        /* family, type, proto, canonname, sockaddr */
        PyObject *entry[5];
        PyObject *exc;
        int k;

        if (unpack(info, 5, entry) < 0) {
            goto done;
        }
        Py_CLEAR(info);
        sock = try_connect(st, cls, entry, timeout, source);
        for (k = 0; k < 5; k++) {
            Py_DECREF(entry[k]);
        }
        if (sock != NULL) {
            goto done;
        }
        /* Only OSError (timeouts and gaierror included) moves on to the
         * next address; anything else is the caller's problem. */
        if (!PyErr_ExceptionMatches(PyExc_OSError)) {
            goto done;
        }
        exc = csocket_take_exception();
        if (exc == NULL) {
            goto done;
        }
        if (!all_errors &&
            PyList_SetSlice(errors, 0, PyList_GET_SIZE(errors), NULL) < 0) {
            Py_DECREF(exc);
            goto done;
        }
        if (PyList_Append(errors, exc) < 0) {
            Py_DECREF(exc);
            goto done;
        }
        Py_DECREF(exc);
    }
    if (PyErr_Occurred()) {
        goto done;
    }
    if (PyList_GET_SIZE(errors) == 0) {
        PyErr_SetString(PyExc_OSError, "getaddrinfo returns an empty list");
        goto done;
    }
#if PY_VERSION_HEX >= 0x030B0000
    if (all_errors) {
        /* BaseExceptionGroup makes an ExceptionGroup when, as here, every
         * member is an Exception. */
        PyObject *group = PyObject_CallFunction(
            PyExc_BaseExceptionGroup, "sO", "create_connection failed",
            errors);

        if (group != NULL) {
            /* The group copied the members; its args still hold the list
             * itself, which the stdlib empties before raising (repr(eg)
             * shows []).  Do the same. */
            if (PyList_SetSlice(errors, 0, PyList_GET_SIZE(errors),
                                NULL) == 0) {
                PyErr_SetObject((PyObject *)Py_TYPE(group), group);
            }
            Py_DECREF(group);
        }
        goto done;
    }
#endif
    {
        PyObject *last = PyList_GET_ITEM(errors, PyList_GET_SIZE(errors) - 1);

        Py_INCREF(last);
        csocket_give_exception(last);
    }

done:
    /* sock is set only on success.  The stored exceptions hold
     * tracebacks; dropping the list here (the stdlib clears its own)
     * leaves no cycle through them. */
    Py_XDECREF(errors);
    Py_XDECREF(info);
    Py_XDECREF(it);
    Py_XDECREF(infos);
    Py_XDECREF(cls);
    Py_XDECREF(getaddrinfo);
    Py_XDECREF(stream);
    Py_XDECREF(zero);
    Py_DECREF(hostport[0]);
    Py_DECREF(hostport[1]);
    return sock;
}

/* ------------------------------------------------------------------ */
/* create_server and has_dualstack_ipv6                                */

/* Replace the pending OSError from bind() by the stdlib's
 * OSError(errno, "<strerror> (while attempting to bind on address
 * <address!r>)"): the constructor picks the errno subclass, and the
 * original stays reachable as __context__ with the context suppressed,
 * as "raise ... from None" leaves it. */
static void
rewrite_bind_error(PyObject *address)
{
    PyObject *orig = csocket_take_exception();
    PyObject *eno = NULL, *strerror = NULL, *msg = NULL, *exc = NULL;

    if (orig == NULL) {
        return;
    }
    eno = PyObject_GetAttrString(orig, "errno");
    if (eno == NULL) {
        goto done;
    }
    strerror = PyObject_GetAttrString(orig, "strerror");
    if (strerror == NULL) {
        goto done;
    }
    msg = PyUnicode_FromFormat("%S (while attempting to bind on address %R)",
                               strerror, address);
    if (msg == NULL) {
        goto done;
    }
    exc = PyObject_CallFunctionObjArgs(PyExc_OSError, eno, msg, NULL);
    if (exc == NULL) {
        goto done;
    }
    PyException_SetContext(exc, orig);
    orig = NULL;
    /* A NULL cause also sets __suppress_context__, like "from None". */
    PyException_SetCause(exc, NULL);
    /* PyErr_Restore, unlike PyErr_SetObject, does not replace the context
     * set above by an exception the caller is handling. */
    csocket_give_exception(exc);

done:
    Py_XDECREF(orig);
    Py_XDECREF(eno);
    Py_XDECREF(strerror);
    Py_XDECREF(msg);
}

PyDoc_STRVAR(has_dualstack_ipv6_doc,
"has_dualstack_ipv6($module, /)\n"
"--\n"
"\n"
"Return True if the platform supports a TCP socket that accepts both\n"
"IPv4 and IPv6 connections (IPV6_V6ONLY can be turned off).");

/* has_dualstack_ipv6() -> bool */
static PyObject *
csocket_has_dualstack_ipv6(PyObject *module, PyObject *const *args,
                           Py_ssize_t nargs, PyObject *kwnames)
{
    static const csocket_pysig params = {
        "has_dualstack_ipv6", NULL, 0, 0, 0, 0};

    if (csocket_pyfunc_args(&params, args, nargs, kwnames, NULL) < 0) {
        return NULL;
    }
#if defined(AF_INET6) && defined(IPPROTO_IPV6) && defined(IPV6_V6ONLY)
    {
        PyObject *cls, *family, *sock, *res;

        cls = lookup_global(module, "socket");
        if (cls == NULL) {
            return NULL;
        }
        family = PyLong_FromLong(AF_INET6);
        if (family == NULL) {
            Py_DECREF(cls);
            return NULL;
        }
        sock = new_socket(cls, family, SOCK_STREAM, NULL);
        Py_DECREF(family);
        Py_DECREF(cls);
        if (sock == NULL) {
            goto oserror;
        }
        if (call_setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY, 0) < 0) {
            close_keeping_error(sock);
            Py_DECREF(sock);
            goto oserror;
        }
        /* The stdlib closes it with a "with" block, so a failing close()
         * propagates. */
        res = PyObject_CallMethod(sock, "close", NULL);
        Py_DECREF(sock);
        if (res == NULL) {
            return NULL;
        }
        Py_DECREF(res);
        Py_RETURN_TRUE;

    oserror:
        /* Only OSError means "unsupported"; anything else propagates. */
        if (!PyErr_ExceptionMatches(PyExc_OSError)) {
            return NULL;
        }
        PyErr_Clear();
        Py_RETURN_FALSE;
    }
#else
    (void)module;
    Py_RETURN_FALSE;
#endif
}

PyDoc_STRVAR(create_server_doc,
"create_server($module, /, address, *, family=AF_INET, backlog=None,\n"
"              reuse_port=False, dualstack_ipv6=False)\n"
"--\n"
"\n"
"Return a TCP socket bound to address, a (host, port) pair, and\n"
"listening.\n"
"\n"
"family is AF_INET or AF_INET6.  backlog is passed to listen(); None\n"
"lets it choose.  reuse_port sets SO_REUSEPORT.  dualstack_ipv6, with\n"
"family=AF_INET6, accepts IPv4 connections on the same socket where the\n"
"platform allows it (see has_dualstack_ipv6()).  SO_REUSEADDR is set on\n"
"POSIX platforms.");

/* create_server(address, *, family=AF_INET, backlog=None,
 *               reuse_port=False, dualstack_ipv6=False) -> socket */
static PyObject *
csocket_create_server(PyObject *module, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {
        "address", "family", "backlog", "reuse_port", "dualstack_ipv6"};
    static const csocket_pysig params = {"create_server", names, 1, 1, 4, 0};
    PyObject *argv[5];
    PyObject *address, *family = NULL, *backlog, *inet6 = NULL;
    PyObject *cls = NULL, *sock = NULL, *res;
    int reuse_port = 0, dualstack = 0, is_inet6;

    if (csocket_pyfunc_args(&params, args, nargs, kwnames, argv) < 0) {
        return NULL;
    }
    address = argv[0];
    backlog = argv[2] != NULL ? argv[2] : Py_None;
    if (argv[1] != NULL) {
        family = argv[1];
        Py_INCREF(family);
    }
    else {
        family = PyLong_FromLong(AF_INET);
        if (family == NULL) {
            return NULL;
        }
    }
    if (argv[3] != NULL && (reuse_port = PyObject_IsTrue(argv[3])) < 0) {
        goto error;
    }
    if (argv[4] != NULL && (dualstack = PyObject_IsTrue(argv[4])) < 0) {
        goto error;
    }
#ifndef SO_REUSEPORT
    if (reuse_port) {
        PyErr_SetString(PyExc_ValueError,
                        "SO_REUSEPORT not supported on this platform");
        goto error;
    }
#endif
#ifdef AF_INET6
    inet6 = PyLong_FromLong(AF_INET6);
    if (inet6 == NULL) {
        goto error;
    }
#endif
    if (dualstack) {
        PyObject *check = lookup_global(module, "has_dualstack_ipv6");
        int ok, wrong_family;

        if (check == NULL) {
            goto error;
        }
        res = PyObject_CallObject(check, NULL);
        Py_DECREF(check);
        if (res == NULL) {
            goto error;
        }
        ok = PyObject_IsTrue(res);
        Py_DECREF(res);
        if (ok < 0) {
            goto error;
        }
        if (!ok) {
            PyErr_SetString(PyExc_ValueError,
                            "dualstack_ipv6 not supported on this platform");
            goto error;
        }
        wrong_family = inet6 == NULL ? 1
            : PyObject_RichCompareBool(family, inet6, Py_NE);
        if (wrong_family < 0) {
            goto error;
        }
        if (wrong_family) {
            PyErr_SetString(PyExc_ValueError,
                            "dualstack_ipv6 requires AF_INET6 family");
            goto error;
        }
    }
    cls = lookup_global(module, "socket");
    if (cls == NULL) {
        goto error;
    }
    sock = new_socket(cls, family, SOCK_STREAM, NULL);
    if (sock == NULL) {
        goto error;
    }

#if defined(SO_REUSEADDR) && !defined(__CYGWIN__)
    /* POSIX lets a server bind again at once to a port whose previous
     * connections linger in TIME_WAIT.  A platform that refuses the option
     * gets its error from bind() instead, as in the stdlib. */
    if (call_setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, 1) < 0) {
        if (!PyErr_ExceptionMatches(PyExc_OSError)) {
            goto error;
        }
        PyErr_Clear();
    }
#endif
#ifdef SO_REUSEPORT
    if (reuse_port &&
        call_setsockopt(sock, SOL_SOCKET, SO_REUSEPORT, 1) < 0) {
        goto error;
    }
#endif
    is_inet6 = inet6 == NULL ? 0
        : PyObject_RichCompareBool(family, inet6, Py_EQ);
    if (is_inet6 < 0) {
        goto error;
    }
#if defined(IPPROTO_IPV6) && defined(IPV6_V6ONLY)
    /* IPv6 servers are made IPv6-only unless asked for dual stack, so
     * that the same code behaves alike whatever the system default
     * (Linux's net.ipv6.bindv6only) is. */
    if (is_inet6 &&
        call_setsockopt(sock, IPPROTO_IPV6, IPV6_V6ONLY,
                        dualstack ? 0 : 1) < 0) {
        goto error;
    }
#endif
    res = PyObject_CallMethod(sock, "bind", "(O)", address);
    if (res == NULL) {
        if (PyErr_ExceptionMatches(PyExc_OSError)) {
            rewrite_bind_error(address);
        }
        goto error;
    }
    Py_DECREF(res);
    if (backlog == Py_None) {
        res = PyObject_CallMethod(sock, "listen", NULL);
    }
    else {
        res = PyObject_CallMethod(sock, "listen", "(O)", backlog);
    }
    if (res == NULL) {
        goto error;
    }
    Py_DECREF(res);
    Py_DECREF(cls);
    Py_XDECREF(inet6);
    Py_DECREF(family);
    return sock;

error:
    if (sock != NULL) {
        close_keeping_error(sock);
        Py_DECREF(sock);
    }
    Py_XDECREF(cls);
    Py_XDECREF(inet6);
    Py_XDECREF(family);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* socketpair and fromfd                                               */

/* Wrap fd (which the new object owns on success) as a socket object and
 * announce it to audit hooks with the arguments the stdlib's
 * socket(family, type, proto, fileno) call reports.  On failure fd is
 * closed and NULL is returned. */
static PyObject *
wrap_fd(csocket_state *st, int fd, int family, int type, int proto)
{
    PyObject *sock = csocket_socket_from_fd(st, fd, family, type, proto);

    if (sock == NULL) {
        csock_close(fd);
        return NULL;
    }
    if (PySys_Audit("socket.__new__", "Oiii", sock, family, type,
                    proto) < 0) {
        /* The object owns fd now: dropping it closes the descriptor. */
        Py_DECREF(sock);
        return NULL;
    }
    return sock;
}

PyDoc_STRVAR(socketpair_doc,
"socketpair($module, /, family=None, type=SOCK_STREAM, proto=0)\n"
"--\n"
"\n"
"Return a pair of connected socket objects.\n"
"\n"
"family defaults to AF_UNIX (None means the default); type and proto\n"
"are as for socket().");

/* socketpair(family=None, type=SOCK_STREAM, proto=0) -> (socket, socket) */
static PyObject *
csocket_socketpair(PyObject *module, PyObject *const *args,
                   Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"family", "type", "proto"};
    static const csocket_pysig params = {"socketpair", names, 3, 0, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *argv[3];
    PyObject *a, *b, *pair;
    int family = AF_UNIX, type = SOCK_STREAM, proto = 0;
    int fds[2];
    int r;

    if (csocket_pyfunc_args(&params, args, nargs, kwnames, argv) < 0) {
        return NULL;
    }
    if (argv[0] != NULL && argv[0] != Py_None &&
        csocket_as_int(argv[0], &family) < 0) {
        return NULL;
    }
    if (argv[1] != NULL && csocket_as_int(argv[1], &type) < 0) {
        return NULL;
    }
    if (argv[2] != NULL && csocket_as_int(argv[2], &proto) < 0) {
        return NULL;
    }
    r = csock_socketpair(family, type, proto, fds);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    a = wrap_fd(st, fds[0], family, type, proto);
    if (a == NULL) {
        csock_close(fds[1]);
        return NULL;
    }
    b = wrap_fd(st, fds[1], family, type, proto);
    if (b == NULL) {
        Py_DECREF(a);
        return NULL;
    }
    pair = PyTuple_Pack(2, a, b);
    Py_DECREF(a);
    Py_DECREF(b);
    return pair;
}

PyDoc_STRVAR(fromfd_doc,
"fromfd($module, /, fd, family, type, proto=0)\n"
"--\n"
"\n"
"Return a socket object for a duplicate of the descriptor fd.\n"
"\n"
"fd must be a socket; family, type and proto are recorded on the new\n"
"object as given.");

/* fromfd(fd, family, type, proto=0) -> socket */
static PyObject *
csocket_fromfd(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
               PyObject *kwnames)
{
    static const char *const names[] = {"fd", "family", "type", "proto"};
    static const csocket_pysig params = {"fromfd", names, 4, 3, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *argv[4];
    int family, type, proto = 0;
    int nfd, sotype, r;
    socklen_t len = sizeof(sotype);
    long fd;

    if (csocket_pyfunc_args(&params, args, nargs, kwnames, argv) < 0) {
        return NULL;
    }
    fd = PyLong_AsLong(argv[0]);
    if (fd == -1 && PyErr_Occurred()) {
        return NULL;
    }
    /* No descriptor lies outside int's range.  (The stdlib truncates such
     * a value to an int and may dup an unrelated descriptor.) */
    if (fd < 0 || fd > INT_MAX) {
        return csocket_set_errno(EBADF);
    }
    /* The stdlib duplicates first and converts the other arguments
     * afterwards; the order decides which error a call with several bad
     * arguments raises. */
    nfd = csock_dup((int)fd);
    if (nfd < 0) {
        return csocket_set_core_error(nfd);
    }
    if (csocket_as_c_int(argv[1], &family) < 0 ||
        csocket_as_c_int(argv[2], &type) < 0 ||
        (argv[3] != NULL && csocket_as_c_int(argv[3], &proto) < 0)) {
        csock_close(nfd);
        return NULL;
    }
    /* Like socket(fileno=...), refuse descriptors that are not sockets. */
    r = csock_getsockopt(nfd, SOL_SOCKET, SO_TYPE, &sotype, &len);
    if (r < 0) {
        csock_close(nfd);
        return csocket_set_core_error(r);
    }
    return wrap_fd(st, nfd, family, type, proto);
}

PyDoc_STRVAR(fallback_socketpair_doc,
"_fallback_socketpair($module, /, family=AF_INET, type=SOCK_STREAM,\n"
"                     proto=0)\n"
"--\n"
"\n"
"A connected pair of TCP sockets over loopback, made with a listening\n"
"socket (the stdlib's emulation of socketpair for platforms without\n"
"one).  The pair is checked to be each other's peer, so that another\n"
"process that connected to the listener first cannot slip in.");

/* Call obj.name() and return the result (new reference) or NULL. */
static PyObject *
call_noargs(PyObject *obj, const char *name)
{
    return PyObject_CallMethod(obj, name, NULL);
}

/* Close obj through its close() method, keeping any pending exception. */
static void
close_keep_error(PyObject *obj)
{
    PyObject *exc_type, *exc_value, *exc_tb, *r;

    if (obj == NULL) {
        return;
    }
    PyErr_Fetch(&exc_type, &exc_value, &exc_tb);
    r = call_noargs(obj, "close");
    if (r == NULL) {
        PyErr_Clear();
    }
    Py_XDECREF(r);
    PyErr_Restore(exc_type, exc_value, exc_tb);
}

/* The two ends must be each other's peer: compares a.getsockname() with
 * b.getpeername() through the methods (which a caller may have patched,
 * as 3.13's test does).  Returns 1 (match), 0, or -1 with an error. */
static int
names_match(PyObject *a, PyObject *b)
{
    PyObject *x = call_noargs(a, "getsockname");
    PyObject *y = x ? call_noargs(b, "getpeername") : NULL;
    int r = y ? PyObject_RichCompareBool(x, y, Py_EQ) : -1;

    Py_XDECREF(x);
    Py_XDECREF(y);
    return r;
}

/* _fallback_socketpair(family=AF_INET, type=SOCK_STREAM, proto=0) */
static PyObject *
csocket_fallback_socketpair(PyObject *module, PyObject *const *args,
                            Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"family", "type", "proto"};
    static const csocket_pysig params = {
        "_fallback_socketpair", names, 3, 0, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *argv[3];
    PyObject *lsock = NULL, *csock = NULL, *ssock = NULL, *name = NULL;
    PyObject *addr = NULL, *accepted = NULL, *r = NULL, *pair = NULL;
    PyObject *tp = (PyObject *)st->socket_type;
    int family = AF_INET, type = SOCK_STREAM, proto = 0, m;
    const char *host;

    if (csocket_pyfunc_args(&params, args, nargs, kwnames, argv) < 0) {
        return NULL;
    }
    if ((argv[0] != NULL && csocket_as_int(argv[0], &family) < 0) ||
        (argv[1] != NULL && csocket_as_int(argv[1], &type) < 0) ||
        (argv[2] != NULL && csocket_as_int(argv[2], &proto) < 0)) {
        return NULL;
    }
    if (family == AF_INET) {
        host = "127.0.0.1";
    }
    else if (family == AF_INET6) {
        host = "::1";
    }
    else {
        PyErr_SetString(PyExc_ValueError, "Only AF_INET and AF_INET6 "
                        "socket address families are supported");
        return NULL;
    }
    if (type != SOCK_STREAM) {
        PyErr_SetString(PyExc_ValueError,
                        "Only SOCK_STREAM socket type is supported");
        return NULL;
    }
    if (proto != 0) {
        PyErr_SetString(PyExc_ValueError, "Only protocol zero is supported");
        return NULL;
    }
    lsock = PyObject_CallFunction(tp, "iii", family, type, proto);
    if (lsock == NULL) {
        return NULL;
    }
    r = PyObject_CallMethod(lsock, "bind", "((si))", host, 0);
    if (r == NULL) {
        goto error;
    }
    Py_XSETREF(r, call_noargs(lsock, "listen"));
    if (r == NULL) {
        goto error;
    }
    /* Connect to the address the listener reports, without blocking:
     * the connection completes once accept() runs. */
    name = call_noargs(lsock, "getsockname");
    if (name == NULL) {
        goto error;
    }
    addr = PySequence_GetSlice(name, 0, 2);
    if (addr == NULL) {
        goto error;
    }
    csock = PyObject_CallFunction(tp, "iii", family, type, proto);
    if (csock == NULL) {
        goto error;
    }
    Py_XSETREF(r, PyObject_CallMethod(csock, "setblocking", "(O)", Py_False));
    if (r == NULL) {
        goto error;
    }
    Py_XSETREF(r, PyObject_CallMethod(csock, "connect", "(O)", addr));
    if (r == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_BlockingIOError) &&
            !PyErr_ExceptionMatches(PyExc_InterruptedError)) {
            goto error;
        }
        PyErr_Clear();
    }
    Py_XSETREF(r, PyObject_CallMethod(csock, "setblocking", "(O)", Py_True));
    if (r == NULL) {
        goto error;
    }
    accepted = call_noargs(lsock, "accept");
    if (accepted == NULL) {
        goto error;
    }
    if (!PyTuple_Check(accepted) || PyTuple_GET_SIZE(accepted) != 2) {
        PyErr_SetString(PyExc_TypeError, "accept() must return a 2-tuple");
        goto error;
    }
    ssock = Py_NewRef(PyTuple_GET_ITEM(accepted, 0));
    close_keep_error(lsock);
    Py_CLEAR(lsock);
    /* Authenticate: each end's name is the other's peer. */
    m = names_match(ssock, csock);
    if (m == 1) {
        m = names_match(csock, ssock);
    }
    if (m < 0) {
        goto error;
    }
    if (m == 0) {
        PyErr_SetString(PyExc_ConnectionError, "Unexpected peer connection");
        goto error;
    }
    pair = PyTuple_Pack(2, ssock, csock);
    if (pair == NULL) {
        goto error;
    }
    Py_XDECREF(r);
    Py_DECREF(name);
    Py_DECREF(addr);
    Py_DECREF(accepted);
    Py_DECREF(ssock);
    Py_DECREF(csock);
    return pair;

error:
    close_keep_error(ssock);
    close_keep_error(csock);
    close_keep_error(lsock);
    Py_XDECREF(r);
    Py_XDECREF(name);
    Py_XDECREF(addr);
    Py_XDECREF(accepted);
    Py_XDECREF(ssock);
    Py_XDECREF(csock);
    Py_XDECREF(lsock);
    return NULL;
}

PyMethodDef csocket_connect_methods[] = {
    {"create_connection", (PyCFunction)(void (*)(void))
     csocket_create_connection, METH_FASTCALL | METH_KEYWORDS,
     create_connection_doc},
    {"create_server", (PyCFunction)(void (*)(void))csocket_create_server,
     METH_FASTCALL | METH_KEYWORDS, create_server_doc},
    {"has_dualstack_ipv6", (PyCFunction)(void (*)(void))
     csocket_has_dualstack_ipv6, METH_FASTCALL | METH_KEYWORDS,
     has_dualstack_ipv6_doc},
    {"socketpair", (PyCFunction)(void (*)(void))csocket_socketpair,
     METH_FASTCALL | METH_KEYWORDS, socketpair_doc},
    {"fromfd", (PyCFunction)(void (*)(void))csocket_fromfd,
     METH_FASTCALL | METH_KEYWORDS, fromfd_doc},
    {"_fallback_socketpair", (PyCFunction)(void (*)(void))
     csocket_fallback_socketpair, METH_FASTCALL | METH_KEYWORDS,
     fallback_socketpair_doc},
    {NULL, NULL, 0, NULL}
};
