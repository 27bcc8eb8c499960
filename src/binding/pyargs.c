/*
 * pyargs.c - argument gathering for what the stdlib writes in Python.
 *
 * create_connection, create_server, socketpair, fromfd, getaddrinfo,
 * getfqdn, send_fds, recv_fds, and the sendfile methods are Python
 * functions in the stdlib's socket.py, so a bad call raises the
 * interpreter's own TypeError for a def: "f() missing 2 required
 * positional arguments: 'a' and 'b'", "f() got multiple values for
 * argument 'a'", and so on.  One parser gives them all those words, in
 * the order the interpreter checks (keywords, then the positional count,
 * then what is missing).
 */
#include "state.h"
#include "args.h"

/* "'a'", "'a' and 'b'", "'a', 'b', and 'c'", as Python lists missing
 * arguments.  Returns a new reference or NULL. */
static PyObject *
format_missing(const char *const *names, const int *which, int n)
{
    PyObject *res = PyUnicode_FromString("");
    int i;

    for (i = 0; i < n && res != NULL; i++) {
        const char *glue = "";

        if (i > 0) {
            if (i == n - 1) {
                glue = n == 2 ? " and " : ", and ";
            }
            else {
                glue = ", ";
            }
        }
        Py_SETREF(res, PyUnicode_FromFormat("%U%s'%s'", res, glue,
                                            names[which[i]]));
    }
    return res;
}

static int
too_many_positional(const csocket_pysig *p, Py_ssize_t nargs,
                    int kwonly_given)
{
    /* A method counts self in both numbers. */
    int self = p->method ? 1 : 0;
    int npos = p->npos + self, nreq = p->nreq + self;
    Py_ssize_t given = nargs + self;
    PyObject *sig, *extra;

    if (nreq < npos) {
        sig = PyUnicode_FromFormat("from %d to %d positional arguments",
                                   nreq, npos);
    }
    else {
        sig = PyUnicode_FromFormat("%d positional argument%s", npos,
                                   npos == 1 ? "" : "s");
    }
    if (kwonly_given > 0) {
        extra = PyUnicode_FromFormat(
            " positional argument%s (and %d keyword-only argument%s)",
            given == 1 ? "" : "s", kwonly_given,
            kwonly_given == 1 ? "" : "s");
    }
    else {
        extra = PyUnicode_FromString("");
    }
    if (sig != NULL && extra != NULL) {
        PyErr_Format(PyExc_TypeError, "%s() takes %U but %zd%U %s given",
                     p->fname, sig, given, extra,
                     given == 1 && kwonly_given == 0 ? "was" : "were");
    }
    Py_XDECREF(sig);
    Py_XDECREF(extra);
    return -1;
}

int
csocket_pyfunc_args(const csocket_pysig *p, PyObject *const *args,
                    Py_ssize_t nargs, PyObject *kwnames, PyObject **out)
{
    int total = p->npos + p->nkwonly;
    Py_ssize_t nkw = kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0;
    Py_ssize_t i;
    int j, kwonly_given = 0;
    int missing[CSOCKET_PYSIG_MAX];
    int nmissing = 0;

    for (j = 0; j < total; j++) {
        out[j] = NULL;
    }
    for (i = 0; i < nargs && i < p->npos; i++) {
        out[i] = args[i];
    }
    for (i = 0; i < nkw; i++) {
        PyObject *key = PyTuple_GET_ITEM(kwnames, i);

        for (j = 0; j < total; j++) {
            if (PyUnicode_CompareWithASCIIString(key, p->names[j]) == 0) {
                break;
            }
        }
        if (j == total) {
            PyErr_Format(PyExc_TypeError,
                         "%s() got an unexpected keyword argument '%U'",
                         p->fname, key);
            return -1;
        }
        if (out[j] != NULL) {
            PyErr_Format(PyExc_TypeError,
                         "%s() got multiple values for argument '%s'",
                         p->fname, p->names[j]);
            return -1;
        }
        out[j] = args[nargs + i];
        if (j >= p->npos) {
            kwonly_given++;
        }
    }
    if (nargs > p->npos) {
        return too_many_positional(p, nargs, kwonly_given);
    }
    for (j = 0; j < p->nreq && j < CSOCKET_PYSIG_MAX; j++) {
        if (out[j] == NULL) {
            missing[nmissing++] = j;
        }
    }
    if (nmissing > 0) {
        PyObject *list = format_missing(p->names, missing, nmissing);

        if (list != NULL) {
            PyErr_Format(PyExc_TypeError,
                         "%s() missing %d required positional argument%s: "
                         "%U", p->fname, nmissing, nmissing == 1 ? "" : "s",
                         list);
            Py_DECREF(list);
        }
        return -1;
    }
    return 0;
}
