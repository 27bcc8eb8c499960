/* TEMPORARY STUB - to be replaced wholesale by the sendfile work. */
#include "state.h"

int
csocket_sendfile_init(PyObject *module, csocket_state *st)
{
    st->giveup_on_sendfile = PyErr_NewException(
        "csocket._GiveupOnSendfile", PyExc_Exception, NULL);
    if (st->giveup_on_sendfile == NULL) {
        return -1;
    }
    return PyModule_AddObjectRef(module, "_GiveupOnSendfile",
                                 st->giveup_on_sendfile);
}

static PyObject *
not_done(void)
{
    PyErr_SetString(PyExc_NotImplementedError, "sendfile not done yet");
    return NULL;
}

PyObject *
csocket_sock_sendfile(PyObject *self, PyObject *const *args,
                      Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return not_done();
}

PyObject *
csocket_sock_sendfile_use_sendfile(PyObject *self, PyObject *const *args,
                                   Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return not_done();
}

PyObject *
csocket_sock_sendfile_use_send(PyObject *self, PyObject *const *args,
                               Py_ssize_t nargs, PyObject *kwnames)
{
    (void)self; (void)args; (void)nargs; (void)kwnames;
    return not_done();
}

PyObject *
csocket_sock_check_sendfile_params(PyObject *self, PyObject *const *args,
                                   Py_ssize_t nargs)
{
    (void)self; (void)args; (void)nargs;
    return not_done();
}
