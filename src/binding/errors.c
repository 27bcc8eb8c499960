/*
 * errors.c - the one place where the binding turns failures into Python
 * exceptions.  OSError is raised through errno so that the interpreter
 * picks the matching subclass (ConnectionRefusedError, BlockingIOError,
 * ...) exactly as it does for the stdlib.
 */
#include "state.h"

#include <errno.h>
#include <netdb.h>

PyObject *
csocket_set_errno(int err)
{
    errno = err;
    return PyErr_SetFromErrno(PyExc_OSError);
}

PyObject *
csocket_set_timeout(csocket_state *st)
{
    PyErr_SetString(st->timeout_error, "timed out");
    return NULL;
}

PyObject *
csocket_set_gaierror(csocket_state *st, int code, int sys_errno)
{
    PyObject *v;

#ifdef EAI_SYSTEM
    /* EAI_SYSTEM means "look at errno": report that as a plain OSError,
     * as the stdlib does. */
    if (code == EAI_SYSTEM) {
        return csocket_set_errno(sys_errno);
    }
#else
    (void)sys_errno;
#endif
    v = Py_BuildValue("(is)", code, gai_strerror(code));
    if (v != NULL) {
        PyErr_SetObject(st->gaierror, v);
        Py_DECREF(v);
    }
    return NULL;
}

PyObject *
csocket_set_herror(csocket_state *st, int code)
{
    PyObject *v = Py_BuildValue("(is)", code, hstrerror(code));

    if (v != NULL) {
        PyErr_SetObject(st->herror, v);
        Py_DECREF(v);
    }
    return NULL;
}

PyObject *
csocket_take_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
    return PyErr_GetRaisedException();
#else
    PyObject *type, *value, *tb;

    PyErr_Fetch(&type, &value, &tb);
    if (type == NULL) {
        return NULL;
    }
    PyErr_NormalizeException(&type, &value, &tb);
    if (value != NULL && tb != NULL) {
        PyException_SetTraceback(value, tb);
    }
    Py_XDECREF(tb);
    Py_DECREF(type);
    return value;
#endif
}

void
csocket_give_exception(PyObject *exc)
{
#if PY_VERSION_HEX >= 0x030C0000
    PyErr_SetRaisedException(exc);
#else
    PyErr_Restore(Py_NewRef((PyObject *)Py_TYPE(exc)), exc,
                  PyException_GetTraceback(exc));
#endif
}

int
csocket_clear_oserror(int errno1, int errno2)
{
    PyObject *exc, *err;
    long code = -1;

    if (!PyErr_ExceptionMatches(PyExc_OSError)) {
        return 0;
    }
    exc = csocket_take_exception();
    err = exc == NULL ? NULL : PyObject_GetAttrString(exc, "errno");
    if (err == NULL) {
        PyErr_Clear();
    }
    else {
        if (PyLong_Check(err)) {
            code = PyLong_AsLong(err);
            if (code == -1 && PyErr_Occurred()) {
                PyErr_Clear();
            }
        }
        Py_DECREF(err);
    }
    if (code == errno1 || code == errno2) {
        Py_XDECREF(exc);
        return 1;
    }
    csocket_give_exception(exc);
    return 0;
}
