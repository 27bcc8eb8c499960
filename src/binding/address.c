/*
 * address.c - Python address objects <-> socket addresses.
 *
 * The Python side of src/core/addr.c: this file turns tuples, str and
 * bytes into plain C values, raising what the stdlib raises for bad ones,
 * and hands the packing to the core.  The order of the checks is the
 * stdlib's, because it decides which error a user sees when an address is
 * wrong in several ways at once: shape, then host type and encoding, then
 * the integer items (any OverflowError among them is reported as a bad
 * port), then name resolution, then the port and flowinfo ranges.
 */
#include "state.h"
#include "address_families.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* ---- host names */

/* The host of an AF_INET/AF_INET6 tuple as a new bytes object holding a
 * C string: str (ASCII as it is, anything else through the "idna"
 * codec), bytes, or bytearray (copied, so that Python code run later,
 * e.g. a port's __index__, cannot resize it under us).  NULL with the
 * stdlib's exception otherwise. */
static PyObject *
host_to_bytes(PyObject *obj)
{
    PyObject *b;

    if (PyUnicode_Check(obj)) {
#if PY_VERSION_HEX < 0x030C0000
        if (PyUnicode_READY(obj) < 0) {
            return NULL;
        }
#endif
        if (PyUnicode_IS_ASCII(obj)) {
            /* ASCII names are passed through untouched, even when the
             * idna codec would refuse them (e.g. a 70-byte label): the
             * resolver has the last word. */
            b = PyUnicode_AsASCIIString(obj);
            if (b == NULL) {
                return NULL;
            }
        }
        else {
            b = PyUnicode_AsEncodedString(obj, "idna", NULL);
            if (b == NULL) {
                if (PyErr_ExceptionMatches(PyExc_UnicodeError)) {
                    PyErr_Clear();
                    PyErr_SetString(PyExc_TypeError,
                                    "encoding of hostname failed");
                }
                return NULL;
            }
            if (!PyBytes_Check(b)) {
                /* Only a replaced codec could do this. */
                Py_DECREF(b);
                PyErr_SetString(PyExc_TypeError,
                                "encoding of hostname failed");
                return NULL;
            }
        }
    }
    else if (PyBytes_Check(obj)) {
        b = Py_NewRef(obj);
    }
    else if (PyByteArray_Check(obj)) {
        b = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(obj),
                                      PyByteArray_GET_SIZE(obj));
        if (b == NULL) {
            return NULL;
        }
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "str, bytes or bytearray expected, not %s",
                     Py_TYPE(obj)->tp_name);
        return NULL;
    }
    if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
        Py_DECREF(b);
        PyErr_SetString(PyExc_TypeError,
                        "host name must not contain null character");
        return NULL;
    }
    return b;
}

int
csocket_setipaddr(csocket_state *st, const char *name, struct sockaddr *out,
                  size_t outsize, int af)
{
    csock_sockaddr tmp;
    socklen_t len = 0;
    int r;

    r = csock_addr_numeric_host(name, af, &tmp, &len);
    if (r < 0) {
        /* '<broadcast>' asked of a family without broadcast. */
        PyErr_SetString(PyExc_OSError, "address family mismatched");
        return -1;
    }
    if (r == 0) {
        int more = 0, sys_errno = 0;

        Py_BEGIN_ALLOW_THREADS
        r = csock_addr_resolve(name, af, &tmp, &len, &more, &sys_errno);
        Py_END_ALLOW_THREADS
        if (r != 0) {
            csocket_set_gaierror(st, r, sys_errno);
            return -1;
        }
        if (name[0] == '\0') {
            /* The wildcard: the stdlib insists on exactly one answer, so
             * that '' with AF_UNSPEC (gethostbyaddr('')) is an error on a
             * dual-stack host rather than an arbitrary pick. */
            if (tmp.sa.sa_family != AF_INET &&
                tmp.sa.sa_family != AF_INET6) {
                PyErr_SetString(PyExc_OSError, "unsupported address family");
                return -1;
            }
            if (more) {
                PyErr_SetString(PyExc_OSError,
                                "wildcard resolved to multiple address");
                return -1;
            }
        }
    }
    if ((size_t)len > outsize) {
        PyErr_SetString(PyExc_SystemError,
                        "csocket_setipaddr: address buffer too small");
        return -1;
    }
    memcpy(out, &tmp, len);
    return (int)len;
}

/* ---- AF_INET / AF_INET6 */

/* A tuple item as a C int, as PyArg_ParseTuple's "i" reads it. */
static int
item_as_int(PyObject *o, int *out)
{
    long v = PyLong_AsLong(o);

    if (v == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (v < INT_MIN || v > INT_MAX) {
        PyErr_SetString(PyExc_OverflowError,
                        "signed integer is out of range for int");
        return -1;
    }
    *out = (int)v;
    return 0;
}

/* A tuple item as an unsigned int, as "I" reads it: no range check, the
 * value is taken modulo 2**32 (so -1 is 0xffffffff, as in the stdlib). */
static int
item_as_uint_mask(PyObject *o, unsigned int *out)
{
    unsigned long v = PyLong_AsUnsignedLongMask(o);

    if (v == (unsigned long)-1 && PyErr_Occurred()) {
        return -1;
    }
    *out = (unsigned int)v;
    return 0;
}

static int
parse_inet(csocket_state *st, int af, PyObject *addr, csock_sockaddr *out,
           socklen_t *len, const char *caller)
{
    const char *afname = af == AF_INET ? "AF_INET" : "AF_INET6";
    PyObject *host = NULL;
    Py_ssize_t n;
    int port = 0, r;
    unsigned int flowinfo = 0, scope_id = 0;
    csock_sockaddr tmp;

    if (!PyTuple_Check(addr)) {
        PyErr_Format(PyExc_TypeError, "%s(): %s address must be tuple, "
                     "not %.500s", caller, afname, Py_TYPE(addr)->tp_name);
        return -1;
    }
    n = PyTuple_GET_SIZE(addr);
    if (af == AF_INET && n != 2) {
        PyErr_SetString(PyExc_TypeError,
                        "AF_INET address must be a pair (host, port)");
        return -1;
    }
    if (af == AF_INET6 && (n < 2 || n > 4)) {
        PyErr_SetString(PyExc_TypeError,
                        "AF_INET6 address must be a tuple "
                        "(host, port[, flowinfo[, scopeid]])");
        return -1;
    }
    host = host_to_bytes(PyTuple_GET_ITEM(addr, 0));
    if (host == NULL) {
        return -1;
    }
    if (item_as_int(PyTuple_GET_ITEM(addr, 1), &port) < 0 ||
        (n > 2 && item_as_uint_mask(PyTuple_GET_ITEM(addr, 2),
                                    &flowinfo) < 0) ||
        (n > 3 && item_as_uint_mask(PyTuple_GET_ITEM(addr, 3),
                                    &scope_id) < 0)) {
        /* The stdlib reports an overflow in any of the numbers as a bad
         * port, whichever item it came from. */
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_OverflowError, "%s(): port must be 0-65535.",
                         caller);
        }
        goto error;
    }
    r = csocket_setipaddr(st, PyBytes_AS_STRING(host), &tmp.sa, sizeof(tmp),
                          af);
    if (r < 0) {
        goto error;
    }
    Py_CLEAR(host);
    if (tmp.sa.sa_family != af) {
        /* getaddrinfo was asked for af only; never trust it blindly. */
        PyErr_SetString(PyExc_OSError, "address family mismatched");
        return -1;
    }
    if (csock_addr_check_port(port) < 0) {
        PyErr_Format(PyExc_OverflowError, "%s(): port must be 0-65535.",
                     caller);
        return -1;
    }
    (void)csock_addr_set_port(&tmp, (uint16_t)port);
    if (af == AF_INET6) {
        /* The tuple's scope id wins over a "%scope" in the host text, as
         * in the stdlib: ('fe80::1%lo', 0) has scope 0. */
        if (csock_addr_set_in6_extra(&tmp, flowinfo, scope_id) < 0) {
            PyErr_Format(PyExc_OverflowError,
                         "%s(): flowinfo must be 0-1048575.", caller);
            return -1;
        }
    }
    memcpy(out, &tmp, (size_t)r);
    *len = (socklen_t)r;
    return 0;

error:
    Py_XDECREF(host);
    return -1;
}

/* ---- AF_UNIX */

/* A str path is encoded as os.fsencode() does (filesystem encoding,
 * surrogateescape); anything else must offer a contiguous buffer (bytes,
 * bytearray, memoryview, array...).  os.PathLike is not accepted: the
 * stdlib does not accept it either (3.11 - 3.13). */
static int
parse_unix(PyObject *addr, csock_sockaddr *out, socklen_t *len)
{
    PyObject *encoded = NULL;
    Py_buffer view;
    int have_view = 0, r;
    const char *data;
    Py_ssize_t size;

    if (PyUnicode_Check(addr)) {
        encoded = PyUnicode_EncodeFSDefault(addr);
        if (encoded == NULL) {
            return -1;
        }
        data = PyBytes_AS_STRING(encoded);
        size = PyBytes_GET_SIZE(encoded);
    }
    else {
        if (PyObject_GetBuffer(addr, &view, PyBUF_SIMPLE) < 0) {
            return -1;
        }
        have_view = 1;
        data = view.buf;
        size = view.len;
    }
    r = csock_addr_unix(out, data, (size_t)size, len);
    if (have_view) {
        PyBuffer_Release(&view);
    }
    Py_XDECREF(encoded);
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "AF_UNIX path too long");
        return -1;
    }
    return 0;
}

/* ---- entry points */

int
csocket_parse_address(csocket_socket *s, PyObject *addr, csock_sockaddr *out,
                      socklen_t *len, const char *caller)
{
    return csocket_parse_address_family(s->state, s->family, s->proto, addr,
                                        out, len, caller);
}

int
csocket_parse_address_family(csocket_state *st, int family, int proto,
                             PyObject *addr, csock_sockaddr *out,
                             socklen_t *len, const char *caller)
{
    /* RDS sockets bind and connect with AF_INET addresses. */
    if (csock_addr_family_kind(family) == CSOCK_FAM_RDS) {
        family = AF_INET;
    }
    switch (family) {
    case AF_INET:
    case AF_INET6:
        return parse_inet(st, family, addr, out, len, caller);
    case AF_UNIX:
        return parse_unix(addr, out, len);
    default:
        /* The other families, and the "bad family" error. */
        return csocket_parse_family_address(st, family, proto, addr, out,
                                            len, caller);
    }
}

/* (host, port) or (host, port, flowinfo, scope_id). */
static PyObject *
make_inet(const csock_sockaddr *a)
{
    char text[64];
    uint16_t port = 0;
    uint32_t flowinfo = 0, scope_id = 0;
    PyObject *host, *res;
    int r;

    r = csock_addr_ntop(a, text, sizeof(text));
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    (void)csock_addr_get_inet(a, &port, &flowinfo, &scope_id);
    host = PyUnicode_FromStringAndSize(text, r);
    if (host == NULL) {
        return NULL;
    }
    if (a->sa.sa_family == AF_INET) {
        res = Py_BuildValue("(Oi)", host, (int)port);
    }
    else {
        res = Py_BuildValue("(OikI)", host, (int)port,
                            (unsigned long)flowinfo, (unsigned int)scope_id);
    }
    Py_DECREF(host);
    return res;
}

/* Abstract names (Linux) come back as bytes, leading NUL included;
 * filesystem paths as str decoded like os.fsdecode(); an unnamed socket
 * (unbound, or a socketpair() end) as ''. */
static PyObject *
make_unix(const csock_sockaddr *a, socklen_t len)
{
    size_t n;
    int kind = csock_addr_unix_name(a, len, &n);

    if (kind == CSOCK_UNIX_ABSTRACT) {
        return PyBytes_FromStringAndSize(a->un.sun_path, (Py_ssize_t)n);
    }
    return PyUnicode_DecodeFSDefaultAndSize(a->un.sun_path, (Py_ssize_t)n);
}

PyObject *
csocket_make_address(csocket_state *st, const struct sockaddr *sa,
                     socklen_t len, int proto)
{
    csock_sockaddr a;

    (void)st;
    /* No address at all: recvfrom() from an unnamed AF_UNIX sender. */
    if (sa == NULL || len == 0) {
        Py_RETURN_NONE;
    }
    len = csock_addr_copy(&a, sa, len);
    switch (a.sa.sa_family) {
    case AF_INET:
    case AF_INET6:
        return make_inet(&a);
    case AF_UNIX:
        return make_unix(&a, len);
    default:
        /* The other families, and (family, sa_data) for unknown ones. */
        return csocket_make_family_address(&a, len, proto);
    }
}
