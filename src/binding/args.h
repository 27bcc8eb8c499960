/*
 * args.h - small argument-conversion helpers shared by the binding files.
 * Public C API only.  Messages match the ones the stdlib's argument
 * parser produces, since users and tests see them.
 */
#ifndef CSOCKET_ARGS_H
#define CSOCKET_ARGS_H

#include "state.h"
#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

/* An int argument with the checks of PyArg_Parse's "i" format.
 * Returns 0 or -1. */
static inline int
csocket_as_int(PyObject *obj, int *out)
{
    long v;

    if (PyFloat_Check(obj)) {
        PyErr_SetString(PyExc_TypeError,
                        "'float' object cannot be interpreted as an integer");
        return -1;
    }
    v = PyLong_AsLong(obj);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError,
                        "signed integer is greater than maximum");
        return -1;
    }
    if (v < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "signed integer is less than minimum");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* An int argument as Argument Clinic converts "int" parameters: any
 * value outside the C int range is "too large".  Returns 0 or -1. */
static inline int
csocket_as_c_int(PyObject *obj, int *out)
{
    long v;
    int overflow = 0;

    if (PyFloat_Check(obj)) {
        PyErr_SetString(PyExc_TypeError,
                        "'float' object cannot be interpreted as an integer");
        return -1;
    }
    v = PyLong_AsLongAndOverflow(obj, &overflow);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (overflow != 0 || v > INT_MAX || v < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* A Py_ssize_t argument with the checks of the "n" format. */
static inline int
csocket_as_ssize(PyObject *obj, Py_ssize_t *out)
{
    PyObject *idx = PyNumber_Index(obj);
    Py_ssize_t v;

    if (idx == NULL) {
        return -1;
    }
    v = PyLong_AsSsize_t(idx);
    Py_DECREF(idx);
    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    *out = v;
    return 0;
}

/* Positional-count check with the stdlib's wording. */
static inline int
csocket_check_nargs(const char *name, Py_ssize_t nargs, Py_ssize_t min,
                    Py_ssize_t max)
{
    if (nargs < min) {
        if (min == max) {
            PyErr_Format(PyExc_TypeError,
                         "%s() takes exactly %zd argument%s (%zd given)",
                         name, min, min == 1 ? "" : "s", nargs);
        }
        else {
            PyErr_Format(PyExc_TypeError,
                         "%s() takes at least %zd argument%s (%zd given)",
                         name, min, min == 1 ? "" : "s", nargs);
        }
        return -1;
    }
    if (nargs > max) {
        if (min == max) {
            PyErr_Format(PyExc_TypeError,
                         "%s() takes exactly %zd argument%s (%zd given)",
                         name, max, max == 1 ? "" : "s", nargs);
        }
        else {
            PyErr_Format(PyExc_TypeError,
                         "%s() takes at most %zd argument%s (%zd given)",
                         name, max, max == 1 ? "" : "s", nargs);
        }
        return -1;
    }
    return 0;
}

/*
 * Gather FASTCALL positional and keyword arguments into out[0..n-1] by
 * the parameter names in names[] (NULL-terminated).  Missing optional
 * parameters are left NULL.  The first `min` parameters are required.
 * Unknown or duplicate keywords raise TypeError.  Returns 0 or -1.
 */
static inline int
csocket_gather_args(const char *fname, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames,
                    const char *const *names, Py_ssize_t min,
                    Py_ssize_t maxpos, PyObject **out)
{
    Py_ssize_t n = 0, i, j, nkw;

    while (names[n] != NULL) {
        n++;
    }
    for (i = 0; i < n; i++) {
        out[i] = NULL;
    }
    if (nargs > maxpos) {
        PyErr_Format(PyExc_TypeError,
                     "%s() takes at most %zd positional argument%s "
                     "(%zd given)", fname, maxpos, maxpos == 1 ? "" : "s",
                     nargs);
        return -1;
    }
    for (i = 0; i < nargs; i++) {
        out[i] = args[i];
    }
    nkw = kwnames == NULL ? 0 : PyTuple_GET_SIZE(kwnames);
    for (j = 0; j < nkw; j++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, j);
        int found = 0;

        for (i = 0; i < n; i++) {
            if (PyUnicode_CompareWithASCIIString(key, names[i]) == 0) {
                found = 1;
                if (out[i] != NULL) {
                    PyErr_Format(PyExc_TypeError,
                                 "argument for %s() given by name ('%s') "
                                 "and position (%zd)", fname, names[i],
                                 i + 1);
                    return -1;
                }
                out[i] = args[nargs + j];
                break;
            }
        }
        if (!found) {
            PyErr_Format(PyExc_TypeError,
                         "'%U' is an invalid keyword argument for %s()",
                         key, fname);
            return -1;
        }
    }
    for (i = 0; i < min; i++) {
        if (out[i] == NULL) {
            PyErr_Format(PyExc_TypeError,
                         "%s() missing required argument '%s' (pos %zd)",
                         fname, names[i], i + 1);
            return -1;
        }
    }
    return 0;
}

/* ---- Functions the stdlib writes in Python (pyargs.c): their argument
 * errors are the interpreter's for a def.  A parameter list: npos
 * positional-or-keyword parameters, the first nreq of them required,
 * then nkwonly optional keyword-only ones; names holds all of them in
 * order.  fname is the name as Python reports it ("create_connection",
 * "socket.sendfile"); method: 1 when it is a method, whose self counts in
 * the "takes N positional arguments" numbers. */
#define CSOCKET_PYSIG_MAX 8
typedef struct {
    const char *fname;
    const char *const *names;
    int npos;
    int nreq;
    int nkwonly;
    int method;
} csocket_pysig;

/* Fill out[0 .. npos + nkwonly) with borrowed references to the
 * arguments, NULL for those not given.  Returns 0, or -1 with the
 * TypeError the Python function raises for the same call. */
int csocket_pyfunc_args(const csocket_pysig *sig, PyObject *const *args,
                        Py_ssize_t nargs, PyObject *kwnames, PyObject **out);

/* ---- Address results on the hot paths (recvfrom, accept, getaddrinfo).
 *
 * The (host, port) tuple of an AF_INET address, or (host, port,
 * flowinfo, scope_id) of an AF_INET6 one: the objects
 * csocket_make_address() returns for them, built directly.  The host
 * text comes from the core's formatter (the text of inet_ntop(), without
 * glibc's printf underneath) and no format string is parsed; together
 * that is most of the cost of a recvfrom() beyond the system call.
 *
 * Sets *handled to 0 and returns NULL (no exception) for anything else -
 * another family, a short address - which the caller then hands to
 * csocket_make_address().  Otherwise *handled is 1 and the result is the
 * tuple, or NULL with an exception set.
 */
static inline PyObject *
csocket_inet_address_fast(const struct sockaddr *sa, socklen_t len,
                          int *handled)
{
    char text[CSOCK_INET6_ADDRSTRLEN];
    PyObject *host, *res;
    int n, is6;

    *handled = 0;
    if (sa == NULL) {
        return NULL;
    }
    if (sa->sa_family == AF_INET &&
        len >= (socklen_t)sizeof(struct sockaddr_in)) {
        is6 = 0;
        n = csock_inet_ntop4(
            (const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr,
            text, sizeof(text));
    }
    else if (sa->sa_family == AF_INET6 &&
             len >= (socklen_t)sizeof(struct sockaddr_in6)) {
        is6 = 1;
        n = csock_inet_ntop6(
            (const unsigned char *)&((const struct sockaddr_in6 *)sa)
                ->sin6_addr,
            text, sizeof(text));
    }
    else {
        return NULL;
    }
    if (n < 0) {
        return NULL;        /* cannot happen; the general path decides */
    }
    *handled = 1;
    /* The text is ASCII: a compact str is filled in place. */
    host = PyUnicode_New(n, 127);
    if (host == NULL) {
        return NULL;
    }
    memcpy(PyUnicode_DATA(host), text, (size_t)n);
    res = PyTuple_New(is6 ? 4 : 2);
    if (res == NULL) {
        Py_DECREF(host);
        return NULL;
    }
    PyTuple_SET_ITEM(res, 0, host);
    if (!is6) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
        PyObject *port = PyLong_FromLong(ntohs(a->sin_port));

        if (port == NULL) {
            Py_DECREF(res);
            return NULL;
        }
        PyTuple_SET_ITEM(res, 1, port);
    }
    else {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
        PyObject *port = PyLong_FromLong(ntohs(a->sin6_port));
        PyObject *flow = port != NULL
            ? PyLong_FromUnsignedLong(ntohl(a->sin6_flowinfo)) : NULL;
        PyObject *scope = flow != NULL
            ? PyLong_FromUnsignedLong(a->sin6_scope_id) : NULL;

        if (scope == NULL) {
            Py_XDECREF(port);
            Py_XDECREF(flow);
            Py_DECREF(res);
            return NULL;
        }
        PyTuple_SET_ITEM(res, 1, port);
        PyTuple_SET_ITEM(res, 2, flow);
        PyTuple_SET_ITEM(res, 3, scope);
    }
    return res;
}

/* An address object as csocket_make_address() makes it, through the
 * fast builder above where it applies. */
static inline PyObject *
csocket_make_address_fast(csocket_state *st, const struct sockaddr *sa,
                          socklen_t len, int proto)
{
    int handled;
    PyObject *res = csocket_inet_address_fast(sa, len, &handled);

    if (handled) {
        return res;
    }
    return csocket_make_address(st, sa, len, proto);
}

#endif
