/*
 * netdb.c - the module-level name-service and conversion functions:
 * getaddrinfo, getnameinfo, gethostby*, getserv*, getprotobyname,
 * gethostname/sethostname, getfqdn, byte-order and inet_* conversions,
 * the if_* functions, CMSG_LEN/CMSG_SPACE and close.
 *
 * Each function follows the stdlib's argument conventions closely: which
 * types are accepted, the order in which arguments are checked (it
 * decides which error a user sees when several are wrong), the exception
 * classes and their messages, and the audit events.  Where the running
 * interpreter's own stdlib changed behaviour between versions (e.g.
 * getaddrinfo's port conversion in 3.12, htons in 3.13), PY_VERSION_HEX
 * picks the behaviour of the interpreter we are built for.
 *
 * Every call that can block (resolver, NSS databases) runs with the GIL
 * released; the conversions are done by the strict parsers of
 * src/core/inet.c, not by libc.
 */
#include "state.h"
#include "args.h"

#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- argument helpers */

/* The count checks of PyArg_ParseTuple for a function of fname taking
 * min..max positional arguments and no keywords.  Returns 0 or -1. */
static int
check_args(const char *fname, Py_ssize_t nargs, PyObject *kwnames,
           Py_ssize_t min, Py_ssize_t max)
{
    if (kwnames != NULL && PyTuple_GET_SIZE(kwnames) != 0) {
        PyErr_Format(PyExc_TypeError, "%s() takes no keyword arguments",
                     fname);
        return -1;
    }
    if (nargs >= min && nargs <= max) {
        return 0;
    }
    if (min == max) {
        PyErr_Format(PyExc_TypeError,
                     "%s() takes exactly %zd argument%s (%zd given)", fname,
                     min, min == 1 ? "" : "s", nargs);
    }
    else if (nargs < min) {
        PyErr_Format(PyExc_TypeError,
                     "%s() takes at least %zd argument%s (%zd given)", fname,
                     min, min == 1 ? "" : "s", nargs);
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "%s() takes at most %zd argument%s (%zd given)", fname,
                     max, max == 1 ? "" : "s", nargs);
    }
    return -1;
}

/* For the single-argument functions that 3.13's stdlib turned into
 * METH_O (htons, ntohs, inet_aton, inet_ntoa, if_nametoindex): the count
 * error is then worded "takes exactly one argument". */
static int
check_one_arg(const char *fname, Py_ssize_t nargs, PyObject *kwnames)
{
#if PY_VERSION_HEX >= 0x030D0000
    if (kwnames == NULL || PyTuple_GET_SIZE(kwnames) == 0) {
        if (nargs != 1) {
            PyErr_Format(PyExc_TypeError,
                         "%s() takes exactly one argument (%zd given)",
                         fname, nargs);
            return -1;
        }
        return 0;
    }
#endif
    return check_args(fname, nargs, kwnames, 1, 1);
}

/* An unsigned int as "I" converts it: modulo 2**32, no range error. */
static int
uint_mask_arg(PyObject *obj, unsigned int *out)
{
    unsigned long v = PyLong_AsUnsignedLongMask(obj);

    if (v == (unsigned long)-1 && PyErr_Occurred()) {
        return -1;
    }
    *out = (unsigned int)v;
    return 0;
}

static const char *
type_name(PyObject *obj)
{
    return obj == Py_None ? "None" : Py_TYPE(obj)->tp_name;
}

/* A str argument as "s" converts it: UTF-8, no embedded NUL.  argnum 0
 * words the message as for a single-argument function of 3.13. */
static const char *
str_arg(PyObject *obj, const char *fname, int argnum)
{
    Py_ssize_t len;
    const char *s;

    if (!PyUnicode_Check(obj)) {
        if (argnum == 0) {
            PyErr_Format(PyExc_TypeError,
                         "%s() argument must be str, not %.50s", fname,
                         type_name(obj));
        }
        else {
            PyErr_Format(PyExc_TypeError,
                         "%s() argument %d must be str, not %.50s", fname,
                         argnum, type_name(obj));
        }
        return NULL;
    }
    s = PyUnicode_AsUTF8AndSize(obj, &len);
    if (s == NULL) {
        return NULL;
    }
    if (strlen(s) != (size_t)len) {
        PyErr_SetString(PyExc_ValueError, "embedded null character");
        return NULL;
    }
    return s;
}

/* Would the "idna" codec pass this ASCII name through unchanged?  It does
 * when every label but the last is 1-63 bytes and the last (empty after
 * a trailing dot) is at most 63: then we can skip the codec, which is
 * much slower than this loop. */
static int
idna_ascii_ok(const char *s, Py_ssize_t len)
{
    Py_ssize_t i, start = 0;

    for (i = 0; i <= len; i++) {
        if (i == len || s[i] == '.') {
            Py_ssize_t n = i - start;

            if (n >= 64 || (i < len && n == 0)) {
                return 0;
            }
            start = i + 1;
        }
    }
    return 1;
}

/* A str host name encoded as the stdlib encodes it (the "idna" codec),
 * as a new bytes object.  Pure-ASCII names the codec would accept as they
 * are skip the codec; for the others the codec runs, so that its errors
 * (and their wording on this interpreter) are the stdlib's. */
static PyObject *
idna_encode(PyObject *str)
{
    PyObject *b;

#if PY_VERSION_HEX < 0x030C0000
    if (PyUnicode_READY(str) < 0) {
        return NULL;
    }
#endif
    if (PyUnicode_IS_ASCII(str)) {
        const char *s = (const char *)PyUnicode_DATA(str);
        Py_ssize_t len = PyUnicode_GET_LENGTH(str);

        if (idna_ascii_ok(s, len)) {
            return PyBytes_FromStringAndSize(s, len);
        }
    }
    b = PyUnicode_AsEncodedString(str, "idna", NULL);
    if (b != NULL && !PyBytes_Check(b)) {
        /* Only a replaced codec could do this. */
        PyErr_Format(PyExc_TypeError, "encoder did not return bytes");
        Py_CLEAR(b);
    }
    return b;
}

/* "et" with the idna codec, the stdlib's host argument of gethostbyname
 * and friends: str (encoded), bytes or bytearray; no NUL inside.  Returns
 * a new bytes object or NULL. */
static PyObject *
host_arg(PyObject *obj, const char *fname)
{
    PyObject *b;

    if (PyUnicode_Check(obj)) {
        b = idna_encode(obj);
    }
    else if (PyBytes_Check(obj)) {
        b = Py_NewRef(obj);
    }
    else if (PyByteArray_Check(obj)) {
        b = PyBytes_FromStringAndSize(PyByteArray_AS_STRING(obj),
                                      PyByteArray_GET_SIZE(obj));
    }
    else {
        PyErr_Format(PyExc_TypeError,
                     "%s() argument 1 must be str, bytes or bytearray, "
                     "not %.50s", fname, type_name(obj));
        return NULL;
    }
    if (b == NULL) {
        return NULL;
    }
    if (strlen(PyBytes_AS_STRING(b)) != (size_t)PyBytes_GET_SIZE(b)) {
        PyErr_Format(PyExc_TypeError,
                     "%s() argument 1 must be encoded string without null "
                     "bytes, not %.50s", fname, Py_TYPE(obj)->tp_name);
        Py_DECREF(b);
        return NULL;
    }
    return b;
}

/* ---- getaddrinfo / getnameinfo */

/* The decimal text of v at the end of buf (size >= 24); returns its
 * start.  What "%ld" prints, without printf's machinery. */
static const char *
format_long(char *buf, size_t size, long v)
{
    char *p = buf + size;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;

    *--p = '\0';
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0) {
        *--p = '-';
    }
    return p;
}

/* Can getaddrinfo(host, port, flags) be answered without asking anyone?
 * It can when the host is a numeric IPv4 or IPv6 address (no "%scope",
 * which names an interface), the port is a number or absent, and the
 * flags ask for nothing that reads system state (AI_ADDRCONFIG queries
 * the interfaces, AI_CANONNAME may look a name up).  glibc then makes no
 * system call at all (strace shows none), so the call cannot block and
 * the GIL need not be released around it: the release would cost more
 * than the lookup. */
static int
gai_is_local(const char *host, const char *port, int flags)
{
    unsigned char buf[16];
    size_t len;
    const char *p;

    if (host == NULL ||
        (flags & ~(AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV)) != 0) {
        return 0;
    }
    if (port != NULL) {
        if (*port == '\0') {
            return 0;
        }
        for (p = port; *p != '\0'; p++) {
            if (*p < '0' || *p > '9') {
                return 0;
            }
        }
    }
    len = strlen(host);
    return csock_inet_pton4(host, len, buf) == 0 ||
           csock_inet_pton6(host, len, buf) == 0;
}

/* getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)
 *     -> [(family, type, proto, canonname, sockaddr), ...] */
static PyObject *
csocket_getaddrinfo(PyObject *module, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames)
{
    static const char *const names[] = {"host", "port", "family", "type",
                                        "proto", "flags"};
    static const csocket_pysig sig = {"getaddrinfo", names, 6, 2, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *a[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    PyObject *host_bytes = NULL, *port_obj = NULL, *list = NULL;
    const char *host = NULL, *port = NULL;
    char portbuf[32];
    int family = 0, type = 0, proto = 0, flags = 0;
    int r, sys_errno = 0;
    struct addrinfo *res = NULL, *ai, *prev_ai = NULL;
    PyObject *fam_map = NULL, *kind_map = NULL, *prev_addr = NULL;

    if (csocket_pyfunc_args(&sig, args, nargs, kwnames, a) < 0) {
        return NULL;
    }
    /* The stdlib's order: the integers, then the host, then the port. */
    if ((a[2] != NULL && csocket_as_int(a[2], &family) < 0) ||
        (a[3] != NULL && csocket_as_int(a[3], &type) < 0) ||
        (a[4] != NULL && csocket_as_int(a[4], &proto) < 0) ||
        (a[5] != NULL && csocket_as_int(a[5], &flags) < 0)) {
        goto error;
    }
    if (a[0] == Py_None) {
        host = NULL;
    }
    else if (PyUnicode_Check(a[0])) {
        host_bytes = idna_encode(a[0]);
        if (host_bytes == NULL) {
            goto error;
        }
        host = PyBytes_AS_STRING(host_bytes);
    }
    else if (PyBytes_Check(a[0])) {
        host = PyBytes_AS_STRING(a[0]);
    }
    else {
        PyErr_SetString(PyExc_TypeError,
                        "getaddrinfo() argument 1 must be string or None");
        goto error;
    }
    if (PyLong_CheckExact(a[1])) {
        long v = PyLong_AsLong(a[1]);

        if (v == -1 && PyErr_Occurred()) {
#if PY_VERSION_HEX >= 0x030C0000
            /* 3.12+ hands any int to the resolver as its decimal text,
             * which then refuses the out-of-range ones. */
            if (!PyErr_ExceptionMatches(PyExc_OverflowError)) {
                goto error;
            }
            PyErr_Clear();
            port_obj = PyObject_Str(a[1]);
            if (port_obj == NULL) {
                goto error;
            }
            port = PyUnicode_AsUTF8(port_obj);
            if (port == NULL) {
                goto error;
            }
#else
            goto error;
#endif
        }
        else {
            port = format_long(portbuf, sizeof(portbuf), v);
        }
    }
    else if (PyUnicode_Check(a[1])) {
        port = PyUnicode_AsUTF8(a[1]);
        if (port == NULL) {
            goto error;
        }
    }
    else if (PyBytes_Check(a[1])) {
        port = PyBytes_AS_STRING(a[1]);
    }
    else if (a[1] == Py_None) {
        port = NULL;
    }
    else {
        PyErr_SetString(PyExc_OSError, "Int or String expected");
        goto error;
    }
    if (PySys_Audit("socket.getaddrinfo", "OOiii", a[0], a[1], family, type,
                    proto) < 0) {
        goto error;
    }
    if (gai_is_local(host, port, flags)) {
        /* No name service, no system call: nothing to wait for. */
        r = csock_getaddrinfo(host, port, family, type, proto, flags, &res,
                              &sys_errno);
    }
    else {
        Py_BEGIN_ALLOW_THREADS
        r = csock_getaddrinfo(host, port, family, type, proto, flags, &res,
                              &sys_errno);
        Py_END_ALLOW_THREADS
    }
    if (r != 0) {
        csocket_set_gaierror(st, r, sys_errno);
        goto error;
    }
    list = PyList_New(0);
    if (list == NULL) {
        goto error;
    }
    /* Owned: a call into an enum class for an unknown value runs Python
     * code, which could rebind the map. */
    fam_map = Py_XNewRef(csocket_enum_value_map(st->AddressFamily));
    kind_map = Py_XNewRef(csocket_enum_value_map(st->SocketKind));
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        PyObject *item = PyTuple_New(5);
        PyObject *o;

        /* Filled item by item (a half-filled tuple frees what it has). */
        if (item == NULL) {
            goto error;
        }
        o = csocket_intenum_map(st->AddressFamily, fam_map, ai->ai_family);
        if (o == NULL) {
            Py_DECREF(item);
            goto error;
        }
        PyTuple_SET_ITEM(item, 0, o);
        o = csocket_intenum_map(st->SocketKind, kind_map, ai->ai_socktype);
        if (o == NULL) {
            Py_DECREF(item);
            goto error;
        }
        PyTuple_SET_ITEM(item, 1, o);
        o = PyLong_FromLong(ai->ai_protocol);
        if (o == NULL) {
            Py_DECREF(item);
            goto error;
        }
        PyTuple_SET_ITEM(item, 2, o);
        o = PyUnicode_FromString(ai->ai_canonname ? ai->ai_canonname : "");
        if (o == NULL) {
            Py_DECREF(item);
            goto error;
        }
        PyTuple_SET_ITEM(item, 3, o);
        /* The C library lists one address once per socket type; the
         * same address gets the same (immutable) tuple. */
        if (prev_addr != NULL && prev_ai->ai_addrlen == ai->ai_addrlen &&
            (prev_ai->ai_protocol == ai->ai_protocol ||
             ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
            memcmp(prev_ai->ai_addr, ai->ai_addr, ai->ai_addrlen) == 0) {
            o = Py_NewRef(prev_addr);
        }
        else {
            o = csocket_make_address_fast(st, ai->ai_addr, ai->ai_addrlen,
                                          ai->ai_protocol);
            if (o == NULL) {
                Py_DECREF(item);
                goto error;
            }
            prev_addr = o;
            prev_ai = ai;
        }
        PyTuple_SET_ITEM(item, 4, o);
        r = PyList_Append(list, item);
        Py_DECREF(item);
        if (r < 0) {
            goto error;
        }
    }
    Py_XDECREF(fam_map);
    Py_XDECREF(kind_map);
    csock_freeaddrinfo(res);
    Py_XDECREF(host_bytes);
    Py_XDECREF(port_obj);
    return list;

error:
    Py_XDECREF(fam_map);
    Py_XDECREF(kind_map);
    csock_freeaddrinfo(res);
    Py_XDECREF(host_bytes);
    Py_XDECREF(port_obj);
    Py_XDECREF(list);
    return NULL;
}

/* getnameinfo(sockaddr, flags) -> (host, port) */
static PyObject *
csocket_getnameinfo(PyObject *module, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames)
{
    csocket_state *st = csocket_get_state(module);
    PyObject *sa;
    const char *host;
    Py_ssize_t n;
    int flags, port, r, sys_errno = 0;
    unsigned int flowinfo = 0, scope_id = 0;
    char portbuf[32];
    char hbuf[NI_MAXHOST], sbuf[NI_MAXSERV];
    struct addrinfo *res = NULL;
    csock_sockaddr addr;
    socklen_t addrlen;

    if (check_args("getnameinfo", nargs, kwnames, 2, 2) < 0) {
        return NULL;
    }
    /* flags is converted before sockaddr's type is looked at, as in the
     * stdlib. */
    sa = args[0];
    if (csocket_as_int(args[1], &flags) < 0) {
        return NULL;
    }
    if (!PyTuple_Check(sa)) {
        PyErr_SetString(PyExc_TypeError,
                        "getnameinfo() argument 1 must be a tuple");
        return NULL;
    }
    n = PyTuple_GET_SIZE(sa);
    if (n < 2 || n > 4 || !PyUnicode_Check(PyTuple_GET_ITEM(sa, 0))) {
        PyErr_SetString(PyExc_TypeError,
                        "getnameinfo(): illegal sockaddr argument");
        return NULL;
    }
    host = str_arg(PyTuple_GET_ITEM(sa, 0), "getnameinfo", 1);
    if (host == NULL) {
        return NULL;
    }
    if (csocket_as_int(PyTuple_GET_ITEM(sa, 1), &port) < 0 ||
        (n > 2 && uint_mask_arg(PyTuple_GET_ITEM(sa, 2), &flowinfo) < 0) ||
        (n > 3 && uint_mask_arg(PyTuple_GET_ITEM(sa, 3), &scope_id) < 0)) {
        return NULL;
    }
    if (flowinfo > 0xfffff) {
        PyErr_SetString(PyExc_OverflowError,
                        "getnameinfo(): flowinfo must be 0-1048575.");
        return NULL;
    }
    if (PySys_Audit("socket.getnameinfo", "(O)", sa) < 0) {
        return NULL;
    }
    /* The host must be numeric; the port goes through the resolver as
     * text, which is what makes it wrap or fail as in the stdlib. */
    PyOS_snprintf(portbuf, sizeof(portbuf), "%d", port);
    Py_BEGIN_ALLOW_THREADS
    r = csock_getaddrinfo(host, portbuf, AF_UNSPEC, SOCK_DGRAM,
                          0, AI_NUMERICHOST, &res, &sys_errno);
    Py_END_ALLOW_THREADS
    if (r != 0) {
        csocket_set_gaierror(st, r, sys_errno);
        goto error;
    }
    if (res->ai_next != NULL) {
        PyErr_SetString(PyExc_OSError,
                        "sockaddr resolved to multiple addresses");
        goto error;
    }
    if ((size_t)res->ai_addrlen > sizeof(addr)) {
        PyErr_SetString(PyExc_OSError, "sockaddr too long");
        goto error;
    }
    memset(&addr, 0, sizeof(addr));
    memcpy(&addr, res->ai_addr, res->ai_addrlen);
    addrlen = res->ai_addrlen;
    switch (addr.sa.sa_family) {
    case AF_INET:
        if (n != 2) {
            PyErr_SetString(PyExc_OSError, "IPv4 sockaddr must be 2 tuple");
            goto error;
        }
        break;
    case AF_INET6:
        addr.in6.sin6_flowinfo = htonl(flowinfo);
        addr.in6.sin6_scope_id = scope_id;
        break;
    default:
        break;
    }
    csock_freeaddrinfo(res);
    res = NULL;
    Py_BEGIN_ALLOW_THREADS
    r = csock_getnameinfo(&addr.sa, addrlen, hbuf, sizeof(hbuf), sbuf,
                          sizeof(sbuf), flags, &sys_errno);
    Py_END_ALLOW_THREADS
    if (r != 0) {
        return csocket_set_gaierror(st, r, sys_errno);
    }
    return Py_BuildValue("(ss)", hbuf, sbuf);

error:
    csock_freeaddrinfo(res);
    return NULL;
}

/* ---- host names and host entries */

/* (name, aliases, addresses) of a host entry, addresses formatted for af
 * as the stdlib does. */
static PyObject *
hostent_to_tuple(const struct hostent *he, int af)
{
    PyObject *aliases = NULL, *addrs = NULL, *name = NULL;
    char **p;

    if (he->h_addrtype != af) {
        return csocket_set_errno(EAFNOSUPPORT);
    }
    aliases = PyList_New(0);
    addrs = PyList_New(0);
    if (aliases == NULL || addrs == NULL) {
        goto error;
    }
    for (p = he->h_aliases; p != NULL && *p != NULL; p++) {
        PyObject *s = PyUnicode_FromString(*p);
        int r;

        if (s == NULL) {
            goto error;
        }
        r = PyList_Append(aliases, s);
        Py_DECREF(s);
        if (r < 0) {
            goto error;
        }
    }
    for (p = he->h_addr_list; p != NULL && *p != NULL; p++) {
        char buf[CSOCK_INET6_ADDRSTRLEN];
        PyObject *s;
        int n, r;

        if ((af == AF_INET && he->h_length != 4) ||
            (af == AF_INET6 && he->h_length != 16)) {
            continue;
        }
        n = csock_inet_ntop(af, *p, buf, sizeof(buf));
        if (n < 0) {
            csocket_set_core_error(n);
            goto error;
        }
        s = PyUnicode_FromStringAndSize(buf, n);
        if (s == NULL) {
            goto error;
        }
        r = PyList_Append(addrs, s);
        Py_DECREF(s);
        if (r < 0) {
            goto error;
        }
    }
    name = PyUnicode_FromString(he->h_name != NULL ? he->h_name : "");
    if (name == NULL) {
        goto error;
    }
    return Py_BuildValue("(NNN)", name, aliases, addrs);

error:
    Py_XDECREF(aliases);
    Py_XDECREF(addrs);
    return NULL;
}

/* Raise the error of a failed csock_gethostby* call. */
static PyObject *
set_host_error(csocket_state *st, int r, const csock_hostent *h)
{
    if (r == CSOCK_HOST_ERROR) {
        return csocket_set_herror(st, h->h_err);
    }
    return csocket_set_core_error(r);
}

/* gethostname() -> str */
static PyObject *
csocket_gethostname(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    char buf[1024];
    int r;

    (void)module;
    if (PySys_Audit("socket.gethostname", NULL) < 0) {
        return NULL;
    }
    r = csock_gethostname(buf, sizeof(buf));
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    return PyUnicode_DecodeFSDefault(buf);
}

/* sethostname(name) */
static PyObject *
csocket_sethostname(PyObject *module, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *name = NULL;
    int r;

    (void)module;
    if (check_args("sethostname", nargs, kwnames, 1, 1) < 0) {
        return NULL;
    }
    if (!PyUnicode_FSConverter(args[0], &name)) {
        return NULL;
    }
    if (PySys_Audit("socket.sethostname", "(O)", name) < 0) {
        Py_DECREF(name);
        return NULL;
    }
    r = csock_sethostname(PyBytes_AS_STRING(name),
                          (size_t)PyBytes_GET_SIZE(name));
    Py_DECREF(name);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

/* gethostbyname(host) -> '1.2.3.4' */
static PyObject *
csocket_gethostbyname(PyObject *module, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    csocket_state *st = csocket_get_state(module);
    csock_sockaddr addr;
    PyObject *name;
    char buf[CSOCK_INET_ADDRSTRLEN];
    int n;

    if (check_args("gethostbyname", nargs, kwnames, 1, 1) < 0) {
        return NULL;
    }
    name = host_arg(args[0], "gethostbyname");
    if (name == NULL) {
        return NULL;
    }
    if (PySys_Audit("socket.gethostbyname", "(O)", args[0]) < 0 ||
        csocket_setipaddr(st, PyBytes_AS_STRING(name), &addr.sa,
                          sizeof(addr), AF_INET) < 0) {
        Py_DECREF(name);
        return NULL;
    }
    Py_DECREF(name);
    n = csock_inet_ntop4((const unsigned char *)&addr.in4.sin_addr, buf,
                         sizeof(buf));
    return PyUnicode_FromStringAndSize(buf, n);
}

/* gethostbyname_ex(host) -> (name, aliaslist, addresslist) */
static PyObject *
csocket_gethostbyname_ex(PyObject *module, PyObject *const *args,
                         Py_ssize_t nargs, PyObject *kwnames)
{
    csocket_state *st = csocket_get_state(module);
    csock_sockaddr addr;
    csock_hostent h;
    PyObject *name, *ret;
    int r;

    if (check_args("gethostbyname_ex", nargs, kwnames, 1, 1) < 0) {
        return NULL;
    }
    name = host_arg(args[0], "gethostbyname_ex");
    if (name == NULL) {
        return NULL;
    }
    /* The stdlib resolves the name as an address first: that is what
     * makes unknown names raise gaierror here rather than herror. */
    if (PySys_Audit("socket.gethostbyname", "(O)", args[0]) < 0 ||
        csocket_setipaddr(st, PyBytes_AS_STRING(name), &addr.sa,
                          sizeof(addr), AF_INET) < 0) {
        Py_DECREF(name);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_gethostbyname(PyBytes_AS_STRING(name), AF_INET, &h);
    Py_END_ALLOW_THREADS
    Py_DECREF(name);
    if (r != 0) {
        return set_host_error(st, r, &h);
    }
    ret = hostent_to_tuple(&h.he, AF_INET);
    csock_hostent_free(&h);
    return ret;
}

/* The body of gethostbyaddr(ip), shared with getfqdn(). */
static PyObject *
gethostbyaddr_impl(csocket_state *st, PyObject *ip)
{
    csock_sockaddr addr;
    csock_hostent h;
    PyObject *name, *ret;
    const void *key;
    socklen_t keylen;
    int r, af;

    name = host_arg(ip, "gethostbyaddr");
    if (name == NULL) {
        return NULL;
    }
    if (PySys_Audit("socket.gethostbyaddr", "(O)", ip) < 0 ||
        csocket_setipaddr(st, PyBytes_AS_STRING(name), &addr.sa,
                          sizeof(addr), AF_UNSPEC) < 0) {
        Py_DECREF(name);
        return NULL;
    }
    Py_DECREF(name);
    af = addr.sa.sa_family;
    if (af == AF_INET) {
        key = &addr.in4.sin_addr;
        keylen = sizeof(addr.in4.sin_addr);
    }
    else if (af == AF_INET6) {
        key = &addr.in6.sin6_addr;
        keylen = sizeof(addr.in6.sin6_addr);
    }
    else {
        return csocket_set_errno(EAFNOSUPPORT);
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_gethostbyaddr(key, keylen, af, &h);
    Py_END_ALLOW_THREADS
    if (r != 0) {
        return set_host_error(st, r, &h);
    }
    ret = hostent_to_tuple(&h.he, af);
    csock_hostent_free(&h);
    return ret;
}

/* gethostbyaddr(host) -> (name, aliaslist, addresslist) */
static PyObject *
csocket_gethostbyaddr(PyObject *module, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    if (check_args("gethostbyaddr", nargs, kwnames, 1, 1) < 0) {
        return NULL;
    }
    return gethostbyaddr_impl(csocket_get_state(module), args[0]);
}

/* getfqdn(name='') -> str
 *
 * The stdlib writes this one in Python; this is the same algorithm:
 * strip the name, use the local host name for '', '0.0.0.0' and '::',
 * then return the first of gethostbyaddr()'s name and aliases that
 * contains a dot (else its name), or the name itself when the lookup
 * raises OSError. */
static PyObject *
csocket_getfqdn(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                PyObject *kwnames)
{
    static const char *const names[] = {"name"};
    static const csocket_pysig sig = {"getfqdn", names, 1, 0, 0, 0};
    csocket_state *st = csocket_get_state(module);
    PyObject *arg = NULL, *name = NULL, *res = NULL, *hostname, *aliases;
    PyObject *result = NULL;
    Py_ssize_t i;
    int r;

    if (csocket_pyfunc_args(&sig, args, nargs, kwnames, &arg) < 0) {
        return NULL;
    }
    if (arg == NULL) {
        name = PyUnicode_FromStringAndSize("", 0);
    }
    else {
        name = PyObject_CallMethod(arg, "strip", NULL);
    }
    if (name == NULL) {
        return NULL;
    }
    r = PyObject_IsTrue(name);
    if (r < 0) {
        goto done;
    }
    if (r) {
        static const char *const local[] = {"0.0.0.0", "::"};

        for (i = 0; i < 2 && r; i++) {
            PyObject *s = PyUnicode_FromString(local[i]);
            int eq;

            if (s == NULL) {
                goto done;
            }
            eq = PyObject_RichCompareBool(s, name, Py_EQ);
            Py_DECREF(s);
            if (eq < 0) {
                goto done;
            }
            r = !eq;
        }
    }
    if (!r) {
        Py_SETREF(name, csocket_gethostname(module, NULL));
        if (name == NULL) {
            goto done;
        }
    }
    res = gethostbyaddr_impl(st, name);
    if (res == NULL) {
        if (PyErr_ExceptionMatches(PyExc_OSError)) {
            PyErr_Clear();
            result = Py_NewRef(name);
        }
        goto done;
    }
    hostname = PyTuple_GET_ITEM(res, 0);
    aliases = PyTuple_GET_ITEM(res, 1);
    for (i = -1; i < PyList_GET_SIZE(aliases); i++) {
        PyObject *cand = i < 0 ? hostname : PyList_GET_ITEM(aliases, i);

        if (PyUnicode_FindChar(cand, '.', 0, PyUnicode_GET_LENGTH(cand),
                               1) >= 0) {
            result = Py_NewRef(cand);
            goto done;
        }
    }
    result = Py_NewRef(hostname);

done:
    Py_XDECREF(res);
    Py_XDECREF(name);
    return result;
}

/* ---- services and protocols */

/* getservbyname(servicename[, protocolname]) -> int */
static PyObject *
csocket_getservbyname(PyObject *module, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    const char *name, *proto = NULL;
    int port = 0, r;

    (void)module;
    if (check_args("getservbyname", nargs, kwnames, 1, 2) < 0) {
        return NULL;
    }
    name = str_arg(args[0], "getservbyname", 1);
    if (name == NULL) {
        return NULL;
    }
    if (nargs > 1) {
        proto = str_arg(args[1], "getservbyname", 2);
        if (proto == NULL) {
            return NULL;
        }
    }
    if (PySys_Audit("socket.getservbyname", "(OO)", args[0],
                    nargs > 1 ? args[1] : Py_None) < 0) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_getservbyname(name, proto, &port);
    Py_END_ALLOW_THREADS
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "service/proto not found");
        return NULL;
    }
    return PyLong_FromLong(port);
}

/* getservbyport(port[, protocolname]) -> str */
static PyObject *
csocket_getservbyport(PyObject *module, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    const char *proto = NULL;
    char name[1024];
    int port, r;

    (void)module;
    if (check_args("getservbyport", nargs, kwnames, 1, 2) < 0) {
        return NULL;
    }
    if (csocket_as_int(args[0], &port) < 0) {
        return NULL;
    }
    if (nargs > 1) {
        proto = str_arg(args[1], "getservbyport", 2);
        if (proto == NULL) {
            return NULL;
        }
    }
    if (port < 0 || port > 0xffff) {
        PyErr_SetString(PyExc_OverflowError,
                        "getservbyport: port must be 0-65535.");
        return NULL;
    }
    if (PySys_Audit("socket.getservbyport", "(iO)", port,
                    nargs > 1 ? args[1] : Py_None) < 0) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_getservbyport(port, proto, name, sizeof(name));
    Py_END_ALLOW_THREADS
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "port/proto not found");
        return NULL;
    }
    return PyUnicode_FromString(name);
}

/* getprotobyname(name) -> int */
static PyObject *
csocket_getprotobyname(PyObject *module, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames)
{
    const char *name;
    int proto = 0, r;

    (void)module;
    if (check_args("getprotobyname", nargs, kwnames, 1, 1) < 0) {
        return NULL;
    }
    name = str_arg(args[0], "getprotobyname", 1);
    if (name == NULL) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_getprotobyname(name, &proto);
    Py_END_ALLOW_THREADS
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "protocol not found");
        return NULL;
    }
    return PyLong_FromLong(proto);
}

/* ---- byte order */

/* htons/ntohs: "i" then the 16-bit range, with the stdlib's messages
 * (3.13 converts with PyLong_AsInt, whose overflow message differs). */
static PyObject *
short_swap(const char *fname, PyObject *const *args, Py_ssize_t nargs,
           PyObject *kwnames)
{
    int v;

    if (check_one_arg(fname, nargs, kwnames) < 0) {
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030D0000
    v = PyLong_AsInt(args[0]);
    if (v == -1 && PyErr_Occurred()) {
        return NULL;
    }
#else
    if (csocket_as_int(args[0], &v) < 0) {
        return NULL;
    }
#endif
    if (v < 0) {
        PyErr_Format(PyExc_OverflowError,
                     "%s: can't convert negative Python int to C 16-bit "
                     "unsigned integer", fname);
        return NULL;
    }
    if (v > 0xffff) {
        PyErr_Format(PyExc_OverflowError,
                     "%s: Python int too large to convert to C 16-bit "
                     "unsigned integer", fname);
        return NULL;
    }
    return PyLong_FromLong((long)ntohs((uint16_t)v));
}

/* htons(x) -> int */
static PyObject *
csocket_htons(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    (void)module;
    return short_swap("htons", args, nargs, kwnames);
}

/* ntohs(x) -> int */
static PyObject *
csocket_ntohs(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
              PyObject *kwnames)
{
    (void)module;
    return short_swap("ntohs", args, nargs, kwnames);
}

/* htonl/ntohl: ints only (no __index__), 32-bit range. */
static PyObject *
long_swap(PyObject *arg)
{
    unsigned long v;

    if (!PyLong_Check(arg)) {
        PyErr_Format(PyExc_TypeError, "expected int, %s found",
                     Py_TYPE(arg)->tp_name);
        return NULL;
    }
    v = PyLong_AsUnsignedLong(arg);
    if (v == (unsigned long)-1 && PyErr_Occurred()) {
        return NULL;
    }
    if (v > 0xffffffffUL) {
        PyErr_SetString(PyExc_OverflowError, "int larger than 32 bits");
        return NULL;
    }
    return PyLong_FromUnsignedLong(ntohl((uint32_t)v));
}

/* htonl(x) -> int */
static PyObject *
csocket_htonl(PyObject *module, PyObject *arg)
{
    (void)module;
    return long_swap(arg);
}

/* ntohl(x) -> int */
static PyObject *
csocket_ntohl(PyObject *module, PyObject *arg)
{
    (void)module;
    return long_swap(arg);
}

/* ---- inet_* conversions */

/* inet_aton(string) -> bytes of length 4 */
static PyObject *
csocket_inet_aton(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    unsigned char buf[4];
    const char *s;

    (void)module;
    if (check_one_arg("inet_aton", nargs, kwnames) < 0) {
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030D0000
    s = str_arg(args[0], "inet_aton", 0);
#else
    s = str_arg(args[0], "inet_aton", 1);
#endif
    if (s == NULL) {
        return NULL;
    }
    if (csock_inet_aton(s, strlen(s), buf) < 0) {
        PyErr_SetString(PyExc_OSError,
                        "illegal IP address string passed to inet_aton");
        return NULL;
    }
    return PyBytes_FromStringAndSize((const char *)buf, 4);
}

/* inet_ntoa(packed_ip) -> str */
static PyObject *
csocket_inet_ntoa(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    Py_buffer view;
    char buf[CSOCK_INET_ADDRSTRLEN];
    int n;

    (void)module;
    if (check_one_arg("inet_ntoa", nargs, kwnames) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(args[0], &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    if (view.len != 4) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_OSError,
                        "packed IP wrong length for inet_ntoa");
        return NULL;
    }
    n = csock_inet_ntop4(view.buf, buf, sizeof(buf));
    PyBuffer_Release(&view);
    return PyUnicode_FromStringAndSize(buf, n);
}

/* inet_pton(af, ip) -> packed bytes */
static PyObject *
csocket_inet_pton(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    unsigned char buf[16];
    const char *s;
    int af, r;

    (void)module;
    if (check_args("inet_pton", nargs, kwnames, 2, 2) < 0) {
        return NULL;
    }
    if (csocket_as_int(args[0], &af) < 0) {
        return NULL;
    }
    s = str_arg(args[1], "inet_pton", 2);
    if (s == NULL) {
        return NULL;
    }
    r = csock_inet_pton(af, s, strlen(s), buf);
    if (r == -EAFNOSUPPORT) {
        return csocket_set_errno(EAFNOSUPPORT);
    }
    if (r < 0) {
        PyErr_SetString(PyExc_OSError,
                        "illegal IP address string passed to inet_pton");
        return NULL;
    }
    return PyBytes_FromStringAndSize((const char *)buf,
                                     af == AF_INET ? 4 : 16);
}

/* inet_ntop(af, packed_ip) -> str */
static PyObject *
csocket_inet_ntop(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                  PyObject *kwnames)
{
    char buf[CSOCK_INET6_ADDRSTRLEN];
    Py_buffer view;
    int af, n;

    (void)module;
    if (check_args("inet_ntop", nargs, kwnames, 2, 2) < 0) {
        return NULL;
    }
    if (csocket_as_int(args[0], &af) < 0) {
        return NULL;
    }
    if (PyObject_GetBuffer(args[1], &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    if (af != AF_INET && af != AF_INET6) {
        PyBuffer_Release(&view);
        PyErr_Format(PyExc_ValueError, "unknown address family %d", af);
        return NULL;
    }
    if (view.len != (af == AF_INET ? 4 : 16)) {
        PyBuffer_Release(&view);
        PyErr_SetString(PyExc_ValueError,
                        "invalid length of packed IP address string");
        return NULL;
    }
    n = csock_inet_ntop(af, view.buf, buf, sizeof(buf));
    PyBuffer_Release(&view);
    if (n < 0) {
        return csocket_set_core_error(n);
    }
    return PyUnicode_FromStringAndSize(buf, n);
}

/* ---- network interfaces */

/* if_nameindex() -> [(index, name), ...] */
static PyObject *
csocket_if_nameindex(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    struct if_nameindex *ni, *p;
    PyObject *list;

    (void)module;
    ni = if_nameindex();
    if (ni == NULL) {
        return PyErr_SetFromErrno(PyExc_OSError);
    }
    list = PyList_New(0);
    if (list == NULL) {
        goto error;
    }
    for (p = ni; p->if_index != 0 && p->if_name != NULL; p++) {
        PyObject *item = Py_BuildValue("(IO&)", p->if_index,
                                       PyUnicode_DecodeFSDefault,
                                       p->if_name);
        int r;

        if (item == NULL) {
            goto error;
        }
        r = PyList_Append(list, item);
        Py_DECREF(item);
        if (r < 0) {
            goto error;
        }
    }
    if_freenameindex(ni);
    return list;

error:
    if_freenameindex(ni);
    Py_XDECREF(list);
    return NULL;
}

/* if_nametoindex(if_name) -> int */
static PyObject *
csocket_if_nametoindex(PyObject *module, PyObject *const *args,
                       Py_ssize_t nargs, PyObject *kwnames)
{
    PyObject *name = NULL;
    unsigned int index = 0;
    int r;

    (void)module;
    if (check_one_arg("if_nametoindex", nargs, kwnames) < 0) {
        return NULL;
    }
    if (!PyUnicode_FSConverter(args[0], &name)) {
        return NULL;
    }
    r = csock_if_nametoindex(PyBytes_AS_STRING(name), &index);
    Py_DECREF(name);
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "no interface with this name");
        return NULL;
    }
    return PyLong_FromUnsignedLong(index);
}

/* if_indextoname(if_index) -> str */
static PyObject *
csocket_if_indextoname(PyObject *module, PyObject *arg)
{
    char buf[IF_NAMESIZE + 1];
    unsigned long index;
    int r;

    (void)module;
    if (!PyLong_Check(arg)) {
        PyErr_SetString(PyExc_TypeError, "an integer is required");
        return NULL;
    }
    index = PyLong_AsUnsignedLong(arg);
    if (index == (unsigned long)-1 && PyErr_Occurred()) {
        return NULL;
    }
#if PY_VERSION_HEX >= 0x030D0000
    if (index > UINT_MAX) {
        PyErr_SetString(PyExc_OverflowError, "index is too large");
        return NULL;
    }
#endif
    /* Before 3.13 the stdlib truncated the index to unsigned int. */
    r = csock_if_indextoname((unsigned int)index, buf);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    return PyUnicode_DecodeFSDefault(buf);
}

/* ---- ancillary data sizes */

/* CMSG_LEN / CMSG_SPACE: an "n" argument, then the limit that keeps the
 * result within a socklen_t on every platform (the stdlib's range). */
static PyObject *
cmsg_size(const char *fname, PyObject *const *args, Py_ssize_t nargs,
          PyObject *kwnames, int space)
{
    PyObject *idx;
    Py_ssize_t len;
    size_t limit;

    if (check_args(fname, nargs, kwnames, 1, 1) < 0) {
        return NULL;
    }
    idx = PyNumber_Index(args[0]);
    if (idx == NULL) {
        return NULL;
    }
    len = PyLong_AsSsize_t(idx);
    Py_DECREF(idx);
    if (len == -1 && PyErr_Occurred()) {
        return NULL;
    }
    limit = space ? (size_t)INT_MAX - CMSG_SPACE(1)
                  : (size_t)INT_MAX - CMSG_LEN(0);
    if (len < 0 || (size_t)len > limit) {
        PyErr_Format(PyExc_OverflowError, "%s() argument out of range",
                     fname);
        return NULL;
    }
    return PyLong_FromSize_t(space ? CMSG_SPACE((size_t)len)
                                   : CMSG_LEN((size_t)len));
}

/* CMSG_LEN(length) -> int */
static PyObject *
csocket_CMSG_LEN(PyObject *module, PyObject *const *args, Py_ssize_t nargs,
                 PyObject *kwnames)
{
    (void)module;
    return cmsg_size("CMSG_LEN", args, nargs, kwnames, 0);
}

/* CMSG_SPACE(length) -> int */
static PyObject *
csocket_CMSG_SPACE(PyObject *module, PyObject *const *args,
                   Py_ssize_t nargs, PyObject *kwnames)
{
    (void)module;
    return cmsg_size("CMSG_SPACE", args, nargs, kwnames, 1);
}

/* ---- close */

/* close(fd) */
static PyObject *
csocket_close(PyObject *module, PyObject *arg)
{
    long fd;
    int r;

    (void)module;
    fd = PyLong_AsLong(arg);
    if (fd == -1 && PyErr_Occurred()) {
        return NULL;
    }
    /* The stdlib truncates larger values to int, which can close an
     * unrelated descriptor (close(2**32) closes fd 0); refuse them. */
    if (fd > INT_MAX || fd < INT_MIN) {
        PyErr_SetString(PyExc_OverflowError,
                        "Python int too large to convert to C int");
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    r = csock_close((int)fd);
    Py_END_ALLOW_THREADS
    /* ECONNRESET only says the peer reset the connection: the descriptor
     * is closed all the same, so this is not an error (as in the
     * stdlib). */
    if (r < 0 && r != -ECONNRESET) {
        return csocket_set_core_error(r);
    }
    Py_RETURN_NONE;
}

/* ---- method table */

/* The functions that take no keywords are still registered with
 * METH_KEYWORDS: check_args() then refuses keywords with the stdlib's
 * message ("f() takes no keyword arguments"); the interpreter's own check
 * would name the function with its module prefix. */
#define FASTCALL(name, doc)                                              \
    {#name, (PyCFunction)(void (*)(void))csocket_##name,                 \
     METH_FASTCALL | METH_KEYWORDS, PyDoc_STR(doc)}
#define FASTCALL_KW(name, doc)                                           \
    {#name, (PyCFunction)(void (*)(void))csocket_##name,                 \
     METH_FASTCALL | METH_KEYWORDS, PyDoc_STR(doc)}

PyMethodDef csocket_netdb_methods[] = {
    FASTCALL_KW(getaddrinfo,
        "getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)\n"
        "--\n\n"
        "Resolve host and port into a list of 5-tuples\n"
        "(family, type, proto, canonname, sockaddr)."),
    FASTCALL(getnameinfo,
        "getnameinfo(sockaddr, flags) --> (host, port)\n\n"
        "Get host and port for a sockaddr."),
    {"gethostname", csocket_gethostname, METH_NOARGS,
     PyDoc_STR("gethostname() -> string\n\n"
               "Return the current host name.")},
    FASTCALL(sethostname,
        "sethostname(name)\n\n"
        "Sets the hostname to name."),
    FASTCALL(gethostbyname,
        "gethostbyname(host) -> address\n\n"
        "Return the IP address (a string of the form '255.255.255.255') "
        "for a host."),
    FASTCALL(gethostbyname_ex,
        "gethostbyname_ex(host) -> (name, aliaslist, addresslist)\n\n"
        "Return the true host name, a list of aliases, and a list of IP "
        "addresses,\nfor a host.  The host argument is a string giving "
        "a host name or IP number."),
    FASTCALL(gethostbyaddr,
        "gethostbyaddr(host) -> (name, aliaslist, addresslist)\n\n"
        "Return the true host name, a list of aliases, and a list of IP "
        "addresses,\nfor a host.  The host argument is a string giving "
        "a host name or IP number."),
    FASTCALL_KW(getfqdn,
        "getfqdn(name='')\n--\n\n"
        "Get fully qualified domain name from name.\n\n"
        "An empty argument is interpreted as meaning the local host."),
    FASTCALL(getservbyname,
        "getservbyname(servicename[, protocolname]) -> integer\n\n"
        "Return a port number from a service name and protocol name."),
    FASTCALL(getservbyport,
        "getservbyport(port[, protocolname]) -> string\n\n"
        "Return the service name from a port number and protocol name."),
    FASTCALL(getprotobyname,
        "getprotobyname(name) -> integer\n\n"
        "Return the protocol number for the named protocol."),
    FASTCALL(htons,
        "htons(integer) -> integer\n\n"
        "Convert a 16-bit unsigned integer from host to network byte "
        "order."),
    FASTCALL(ntohs,
        "ntohs(integer) -> integer\n\n"
        "Convert a 16-bit unsigned integer from network to host byte "
        "order."),
    {"htonl", csocket_htonl, METH_O,
     PyDoc_STR("htonl(integer) -> integer\n\n"
               "Convert a 32-bit integer from host to network byte "
               "order.")},
    {"ntohl", csocket_ntohl, METH_O,
     PyDoc_STR("ntohl(integer) -> integer\n\n"
               "Convert a 32-bit integer from network to host byte "
               "order.")},
    FASTCALL(inet_aton,
        "inet_aton(string) -> bytes giving packed 32-bit IP "
        "representation\n\n"
        "Convert an IP address in string format (123.45.67.89) to the "
        "32-bit packed\nbinary format used in low-level network "
        "functions."),
    FASTCALL(inet_ntoa,
        "inet_ntoa(packed_ip) -> ip_address_string\n\n"
        "Convert an IP address from 32-bit packed binary format to "
        "string format"),
    FASTCALL(inet_pton,
        "inet_pton(af, ip) -> packed IP address string\n\n"
        "Convert an IP address from string format to a packed string "
        "suitable\nfor use with low-level network functions."),
    FASTCALL(inet_ntop,
        "inet_ntop(af, packed_ip) -> string formatted IP address\n\n"
        "Convert a packed IP address of the given family to string "
        "format."),
    {"if_nameindex", csocket_if_nameindex, METH_NOARGS,
     PyDoc_STR("if_nameindex()\n\n"
               "Returns a list of network interface information "
               "(index, name) tuples.")},
    FASTCALL(if_nametoindex,
        "if_nametoindex(if_name)\n\n"
        "Returns the interface index corresponding to the interface "
        "name if_name."),
    {"if_indextoname", csocket_if_indextoname, METH_O,
     PyDoc_STR("if_indextoname(if_index)\n\n"
               "Returns the interface name corresponding to the interface "
               "index if_index.")},
    FASTCALL(CMSG_LEN,
        "CMSG_LEN(length) -> control message length\n\n"
        "Return the total length, without trailing padding, of an "
        "ancillary\ndata item with associated data of the given length."),
    FASTCALL(CMSG_SPACE,
        "CMSG_SPACE(length) -> buffer size\n\n"
        "Return the buffer size needed for recvmsg() to receive an "
        "ancillary\ndata item with associated data of the given length, "
        "along with any\ntrailing padding."),
    {"close", csocket_close, METH_O,
     PyDoc_STR("close(integer) -> None\n\n"
               "Close an integer socket file descriptor.")},
    {NULL, NULL, 0, NULL}
};
