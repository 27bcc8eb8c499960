/*
 * module.c - the csocket._csocket extension module: multi-phase init,
 * module state, and the few module functions that touch module state
 * directly (default timeout, enum registration).
 */
#include "state.h"

#include <errno.h>
#include <limits.h>

/* The C API capsule, laid out as the stdlib's socket C API (the socket
 * type and the two exception classes), for C extensions that work with
 * csocket sockets. */
typedef struct {
    PyTypeObject *Sock_Type;
    PyObject *error;
    PyObject *timeout_error;
} csocket_capi;

static void
capi_destructor(PyObject *capsule)
{
    csocket_capi *api = PyCapsule_GetPointer(capsule, "csocket._csocket.CAPI");

    if (api != NULL) {
        Py_XDECREF(api->Sock_Type);
        Py_XDECREF(api->error);
        Py_XDECREF(api->timeout_error);
        PyMem_Free(api);
    }
}

static int
add_capi(PyObject *module, csocket_state *st)
{
    csocket_capi *api = PyMem_Malloc(sizeof(*api));
    PyObject *capsule;

    if (api == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    api->Sock_Type = (PyTypeObject *)Py_NewRef(st->socket_type);
    api->error = Py_NewRef(PyExc_OSError);
    api->timeout_error = Py_NewRef(st->timeout_error);
    capsule = PyCapsule_New(api, "csocket._csocket.CAPI", capi_destructor);
    if (capsule == NULL) {
        Py_DECREF(api->Sock_Type);
        Py_DECREF(api->error);
        Py_DECREF(api->timeout_error);
        PyMem_Free(api);
        return -1;
    }
    if (PyModule_AddObjectRef(module, "CAPI", capsule) < 0) {
        Py_DECREF(capsule);
        return -1;
    }
    Py_DECREF(capsule);
    return 0;
}

csocket_state *
csocket_get_state(PyObject *module)
{
    return (csocket_state *)PyModule_GetState(module);
}

csocket_state *
csocket_state_from_type(PyTypeObject *tp)
{
#if PY_VERSION_HEX >= 0x030B0000
    PyObject *m = PyType_GetModuleByDef(tp, &csocket_moduledef);

    if (m == NULL) {
        return NULL;
    }
    return csocket_get_state(m);
#else
    /* Before 3.11: walk the MRO to the first heap type of this module
     * (a Python subclass has no module of its own). */
    PyObject *mro = tp->tp_mro;
    Py_ssize_t i;

    for (i = 0; mro != NULL && i < PyTuple_GET_SIZE(mro); i++) {
        PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
        PyObject *m;

        if (!(base->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
            continue;
        }
        m = PyType_GetModule(base);
        if (m == NULL) {
            PyErr_Clear();
            continue;
        }
        if (PyModule_GetDef(m) == &csocket_moduledef) {
            return csocket_get_state(m);
        }
    }
    PyErr_SetString(PyExc_TypeError, "not a csocket type");
    return NULL;
#endif
}

/* getdefaulttimeout() -> timeout */
static PyObject *
csocket_getdefaulttimeout(PyObject *module, PyObject *Py_UNUSED(ignored))
{
    return csocket_timeout_to_object(csocket_get_state(module)
                                         ->default_timeout_ns);
}

/* setdefaulttimeout(timeout) */
static PyObject *
csocket_setdefaulttimeout(PyObject *module, PyObject *arg)
{
    int64_t ns;

    if (csocket_timeout_from_object(arg, &ns) < 0) {
        return NULL;
    }
    csocket_get_state(module)->default_timeout_ns = ns;
    Py_RETURN_NONE;
}

/* _register_enums(AddressFamily, SocketKind, MsgFlag, AddressInfo):
 * called once by csocket/__init__.py after it has built the enum
 * classes, so that C code can hand out enum members. */
static PyObject *
csocket_register_enums(PyObject *module, PyObject *const *args,
                       Py_ssize_t nargs)
{
    csocket_state *st = csocket_get_state(module);

    if (nargs != 4) {
        PyErr_SetString(PyExc_TypeError,
                        "_register_enums() takes exactly 4 arguments");
        return NULL;
    }
    Py_XSETREF(st->AddressFamily, Py_NewRef(args[0]));
    Py_XSETREF(st->SocketKind, Py_NewRef(args[1]));
    Py_XSETREF(st->MsgFlag, Py_NewRef(args[2]));
    Py_XSETREF(st->AddressInfo, Py_NewRef(args[3]));
    Py_RETURN_NONE;
}

/* dup(fd) -> int: a non-inheritable duplicate of a socket descriptor. */
static PyObject *
csocket_dup(PyObject *module, PyObject *arg)
{
    long v;
    int r;

    (void)module;
    if (PyFloat_Check(arg)) {
        PyErr_SetString(PyExc_TypeError,
                        "'float' object cannot be interpreted as an integer");
        return NULL;
    }
    v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred()) {
        return NULL;
    }
    /* The stdlib truncates a value beyond the C int range and may
     * duplicate an unrelated descriptor (2**40 becomes 0); no such value
     * is a descriptor, so say so. */
    if (v < 0 || v > INT_MAX) {
        return csocket_set_errno(EBADF);
    }
    r = csock_dup((int)v);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    return PyLong_FromLong(r);
}

static PyMethodDef module_methods[] = {
    {"dup", csocket_dup, METH_O,
     "dup(integer) -> integer\n\nDuplicate an integer socket file "
     "descriptor.  The new descriptor is non-inheritable."},
    {"getdefaulttimeout", csocket_getdefaulttimeout, METH_NOARGS,
     "getdefaulttimeout() -> timeout\n\nThe default timeout in seconds "
     "for new socket objects; None means no timeout."},
    {"setdefaulttimeout", csocket_setdefaulttimeout, METH_O,
     "setdefaulttimeout(timeout)\n\nSet the default timeout in seconds "
     "for new socket objects; None means no timeout."},
    {"_register_enums", (PyCFunction)(void (*)(void))csocket_register_enums,
     METH_FASTCALL, NULL},
    {NULL, NULL, 0, NULL}
};

/* The stdlib's own exception classes, so that existing except clauses
 * catch csocket's errors. */
static int
import_exceptions(PyObject *module, csocket_state *st)
{
    PyObject *stdmod = PyImport_ImportModule("_socket");

    if (stdmod == NULL) {
        return -1;
    }
    st->timeout_error = PyObject_GetAttrString(stdmod, "timeout");
    st->gaierror = PyObject_GetAttrString(stdmod, "gaierror");
    st->herror = PyObject_GetAttrString(stdmod, "herror");
    Py_DECREF(stdmod);
    if (st->timeout_error == NULL || st->gaierror == NULL ||
        st->herror == NULL) {
        return -1;
    }
    if (PyModule_AddObjectRef(module, "error", PyExc_OSError) < 0 ||
        PyModule_AddObjectRef(module, "timeout", st->timeout_error) < 0 ||
        PyModule_AddObjectRef(module, "gaierror", st->gaierror) < 0 ||
        PyModule_AddObjectRef(module, "herror", st->herror) < 0) {
        return -1;
    }
    return 0;
}

static int
module_exec(PyObject *module)
{
    csocket_state *st = csocket_get_state(module);

    st->default_timeout_ns = -1;
    if (csocket_timeout_init() < 0 || csocket_fork_init() < 0 ||
        import_exceptions(module, st) < 0) {
        return -1;
    }
    st->global_default_timeout = PyObject_CallNoArgs(
        (PyObject *)&PyBaseObject_Type);
    if (st->global_default_timeout == NULL ||
        PyModule_AddObjectRef(module, "_GLOBAL_DEFAULT_TIMEOUT",
                              st->global_default_timeout) < 0) {
        return -1;
    }
    if (csocket_socket_init_type(module, st) < 0 ||
        csocket_socketio_init_type(module, st) < 0 ||
        csocket_reader_init_type(module, st) < 0 ||
        csocket_sendfile_init(module, st) < 0 ||
        csocket_add_constants(module) < 0 ||
        PyModule_AddFunctions(module, csocket_netdb_methods) < 0 ||
        PyModule_AddFunctions(module, csocket_connect_methods) < 0 ||
        PyModule_AddFunctions(module, csocket_msg_methods) < 0) {
        return -1;
    }
    if (add_capi(module, st) < 0) {
        return -1;
    }
#ifdef AF_DECnet
    /* The one constant with a lower-case name (not an enum member). */
    if (PyModule_AddIntConstant(module, "AF_DECnet", AF_DECnet) < 0) {
        return -1;
    }
#endif
    if (PyModule_AddObjectRef(module, "has_ipv6", Py_True) < 0 ||
        PyModule_AddStringConstant(module, "_LOCALHOST", "127.0.0.1") < 0 ||
        PyModule_AddStringConstant(module, "_LOCALHOST_V6", "::1") < 0) {
        return -1;
    }
    return 0;
}

static int
module_traverse(PyObject *module, visitproc visit, void *arg)
{
    csocket_state *st = csocket_get_state(module);

    Py_VISIT(st->socket_type);
    Py_VISIT(st->socketio_type);
    Py_VISIT(st->reader_type);
    Py_VISIT(st->timeout_error);
    Py_VISIT(st->gaierror);
    Py_VISIT(st->herror);
    Py_VISIT(st->io_module);
    Py_VISIT(st->AddressFamily);
    Py_VISIT(st->SocketKind);
    Py_VISIT(st->MsgFlag);
    Py_VISIT(st->AddressInfo);
    Py_VISIT(st->global_default_timeout);
    Py_VISIT(st->giveup_on_sendfile);
    return 0;
}

static int
module_clear(PyObject *module)
{
    csocket_state *st = csocket_get_state(module);

    Py_CLEAR(st->socket_type);
    Py_CLEAR(st->socketio_type);
    Py_CLEAR(st->reader_type);
    Py_CLEAR(st->timeout_error);
    Py_CLEAR(st->gaierror);
    Py_CLEAR(st->herror);
    Py_CLEAR(st->io_module);
    Py_CLEAR(st->AddressFamily);
    Py_CLEAR(st->SocketKind);
    Py_CLEAR(st->MsgFlag);
    Py_CLEAR(st->AddressInfo);
    Py_CLEAR(st->global_default_timeout);
    Py_CLEAR(st->giveup_on_sendfile);
    return 0;
}

static void
module_free(void *module)
{
    (void)module_clear((PyObject *)module);
}

static PyModuleDef_Slot module_slots[] = {
    {Py_mod_exec, module_exec},
    {0, NULL}
};

PyModuleDef csocket_moduledef = {
    PyModuleDef_HEAD_INIT,
    .m_name = "csocket._csocket",
    .m_doc = "The C implementation of csocket: Python's socket module.",
    .m_size = sizeof(csocket_state),
    .m_methods = module_methods,
    .m_slots = module_slots,
    .m_traverse = module_traverse,
    .m_clear = module_clear,
    .m_free = module_free,
};

PyMODINIT_FUNC
PyInit__csocket(void)
{
    return PyModuleDef_Init(&csocket_moduledef);
}
