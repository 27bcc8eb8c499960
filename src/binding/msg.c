/* TEMPORARY STUB - to be replaced wholesale by the msg work. */
#include "state.h"

static PyObject *
not_done(void)
{
    PyErr_SetString(PyExc_NotImplementedError, "sendmsg/recvmsg not done");
    return NULL;
}

PyObject *
csocket_sock_sendmsg(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    return not_done();
}

PyObject *
csocket_sock_sendmsg_afalg(PyObject *self, PyObject *const *args,
                           Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return not_done();
}

PyObject *
csocket_sock_recvmsg(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    return not_done();
}

PyObject *
csocket_sock_recvmsg_into(PyObject *self, PyObject *const *args,
                          Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    return not_done();
}

PyMethodDef csocket_msg_methods[] = {
    {NULL, NULL, 0, NULL}
};
