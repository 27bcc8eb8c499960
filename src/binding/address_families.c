/*
 * address_families.c - Python address objects <-> socket addresses for
 * Linux's other families: AF_NETLINK, AF_PACKET, AF_CAN, AF_TIPC,
 * AF_ALG, AF_VSOCK, AF_QIPCRTR, and AF_BLUETOOTH where BlueZ's headers
 * exist (AF_RDS takes AF_INET addresses and is handled by address.c).
 *
 * The items of these tuples are read with PyArg_ParseTuple and the
 * format the stdlib's documented tuple implies, because that is where
 * the stdlib's own messages for them come from ("'str' object cannot be
 * interpreted as an integer", "function takes exactly 3 arguments (1
 * given)", even the SystemError for a non-tuple CAN ISO-TP address):
 * reading them by hand would only approximate those.  The packing
 * itself is the core's (src/core/addr_families.c); this file dispatches
 * on CSOCK_FAM_* so that it needs no platform #ifdef.
 */
#include "address_families.h"

#include <errno.h>
#include <string.h>

/* The stdlib's TypeError for an address that is not a tuple. */
static int
require_tuple(PyObject *addr, const char *caller, const char *afname)
{
    if (PyTuple_Check(addr)) {
        return 0;
    }
    PyErr_Format(PyExc_TypeError, "%s(): %s address must be tuple, "
                 "not %.500s", caller, afname, Py_TYPE(addr)->tp_name);
    return -1;
}

/* ---- AF_NETLINK, AF_VSOCK, AF_QIPCRTR: two unsigned 32-bit numbers,
 * taken modulo 2**32 ("I"), never range-checked. */
static int
parse_pair(int family, int kind, PyObject *addr, csock_sockaddr *out,
           socklen_t *len, const char *caller)
{
    unsigned int a, b;
    int r;

    if (kind == CSOCK_FAM_NETLINK) {
        if (require_tuple(addr, caller, "AF_NETLINK") < 0 ||
            !PyArg_ParseTuple(addr, "II;AF_NETLINK address must be a pair "
                              "(pid, groups)", &a, &b)) {
            return -1;
        }
    }
    else {
        const char *afname = kind == CSOCK_FAM_VSOCK ? "AF_VSOCK"
                                                     : "AF_QIPCRTR";

        /* The stdlib names its internal function, not the caller, in
         * these two families' messages. */
        if (!PyTuple_Check(addr)) {
            PyErr_Format(PyExc_TypeError, "getsockaddrarg: %s address "
                         "must be tuple, not %.500s", afname,
                         Py_TYPE(addr)->tp_name);
            return -1;
        }
        if (!PyArg_ParseTuple(addr, "II:getsockaddrarg", &a, &b)) {
            return -1;
        }
    }
    r = csock_addr_pair(out, family, a, b);
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    *len = (socklen_t)r;
    return 0;
}

/* ---- AF_PACKET: (ifname, proto[, pkttype[, hatype[, addr]]]) */

/* The stdlib hands the name to SIOCGIFINDEX in a struct ifreq, which
 * silently keeps its first IFNAMSIZ - 1 bytes: a longer name finds the
 * interface its prefix names. */
static int
packet_ifindex(const char *name)
{
    char buf[CSOCK_IFNAMSIZ];
    size_t n = strnlen(name, sizeof(buf) - 1);

    memcpy(buf, name, n);
    buf[n] = '\0';
    return csock_addr_ifindex(buf);
}

static int
parse_packet(PyObject *addr, csock_sockaddr *out, socklen_t *len,
             const char *caller)
{
    const char *ifname;
    int proto, pkttype = 0 /* PACKET_HOST */, hatype = 0, r;
    Py_buffer haddr;
    csock_packet_addr pa;

    /* "y*" fills haddr only when the item is there. */
    memset(&haddr, 0, sizeof(haddr));

    if (require_tuple(addr, caller, "AF_PACKET") < 0) {
        return -1;
    }
    if (!PyArg_ParseTuple(addr, "si|iiy*;AF_PACKET address must be a tuple "
                          "of two to five elements", &ifname, &proto,
                          &pkttype, &hatype, &haddr)) {
        if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_OverflowError,
                         "%s(): address argument out of range", caller);
        }
        return -1;
    }
    /* The stdlib's order: the interface, the hardware address's length,
     * then the protocol's range. */
    r = packet_ifindex(ifname);
    if (r < 0) {
        csocket_set_core_error(r);
        goto error;
    }
    memset(&pa, 0, sizeof(pa));
    pa.ifindex = r;
    if (haddr.buf != NULL) {
        if (haddr.len > CSOCK_PACKET_HALEN_MAX) {
            PyErr_SetString(PyExc_ValueError,
                            "Hardware address must be 8 bytes or less");
            goto error;
        }
        pa.addr = haddr.buf;
        pa.halen = (size_t)haddr.len;
    }
    if (proto < 0 || proto > 0xffff) {
        PyErr_Format(PyExc_OverflowError, "%s(): proto must be 0-65535.",
                     caller);
        goto error;
    }
    pa.protocol = (uint16_t)proto;
    /* Both are C ints in the tuple but narrower fields in the kernel's
     * structure: they are truncated, as the stdlib does. */
    pa.pkttype = (uint8_t)pkttype;
    pa.hatype = (uint16_t)hatype;
    r = csock_addr_packet(out, &pa);
    if (r < 0) {
        csocket_set_core_error(r);
        goto error;
    }
    *len = (socklen_t)r;
    if (haddr.buf != NULL) {
        PyBuffer_Release(&haddr);
    }
    return 0;

error:
    if (haddr.buf != NULL) {
        PyBuffer_Release(&haddr);
    }
    return -1;
}

/* ---- AF_CAN: the form depends on the socket's protocol. */

/* The index of the CAN interface named by an os.fsencode()d name: ""
 * means every interface (index 0); a name too long for the kernel is an
 * error rather than truncated, unlike AF_PACKET's. */
static int
can_ifindex(PyObject *name, int *index)
{
    Py_ssize_t n = PyBytes_GET_SIZE(name);
    int r;

    if (n == 0) {
        *index = 0;
        return 0;
    }
    if (n >= CSOCK_IFNAMSIZ) {
        PyErr_SetString(PyExc_OSError, "AF_CAN interface name too long");
        return -1;
    }
    r = csock_addr_ifindex(PyBytes_AS_STRING(name));
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    *index = r;
    return 0;
}

static int
parse_can(int proto, PyObject *addr, csock_sockaddr *out, socklen_t *len,
          const char *caller)
{
    PyObject *name = NULL;
    unsigned long rx_id, tx_id;
    unsigned long long j_name;
    unsigned int pgn;
    unsigned char j_addr;
    csock_can_addr ca;
    int kind = csock_addr_can_kind(proto), r;

    memset(&ca, 0, sizeof(ca));
    switch (kind) {
    case CSOCK_CAN_PLAIN:
        if (require_tuple(addr, caller, "AF_CAN") < 0 ||
            !PyArg_ParseTuple(addr, "O&;AF_CAN address must be a tuple "
                              "(interface, )", PyUnicode_FSConverter,
                              &name)) {
            return -1;
        }
        break;
    case CSOCK_CAN_ISOTP:
        /* No tuple check here in the stdlib: a list gets getargs'
         * SystemError, and so it does here. */
        if (!PyArg_ParseTuple(addr, "O&kk", PyUnicode_FSConverter, &name,
                              &rx_id, &tx_id)) {
            return -1;
        }
        /* canid_t is 32 bits: the "k" values are truncated to it. */
        ca.rx_id = (uint32_t)rx_id;
        ca.tx_id = (uint32_t)tx_id;
        break;
    case CSOCK_CAN_J1939:
        if (!PyArg_ParseTuple(addr, "O&KIB", PyUnicode_FSConverter, &name,
                              &j_name, &pgn, &j_addr)) {
            return -1;
        }
        ca.name = (uint64_t)j_name;
        ca.pgn = (uint32_t)pgn;
        ca.addr = (uint8_t)j_addr;
        break;
    default:
        PyErr_Format(PyExc_OSError, "%s(): unsupported CAN protocol",
                     caller);
        return -1;
    }
    if (can_ifindex(name, &ca.ifindex) < 0) {
        Py_DECREF(name);
        return -1;
    }
    Py_DECREF(name);
    r = csock_addr_can(out, kind, &ca);
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    *len = (socklen_t)r;
    return 0;
}

/* ---- AF_TIPC: (addr_type, v1, v2, v3[, scope]) */
static int
parse_tipc(PyObject *addr, csock_sockaddr *out, socklen_t *len,
           const char *caller)
{
    unsigned int atype, v1, v2, v3, scope = CSOCK_TIPC_CLUSTER_SCOPE;
    csock_tipc_addr ta;
    int r;

    if (require_tuple(addr, caller, "AF_TIPC") < 0 ||
        !PyArg_ParseTuple(addr, "IIII|I;AF_TIPC address must be a tuple "
                          "(addr_type, v1, v2, v3[, scope])", &atype, &v1,
                          &v2, &v3, &scope)) {
        return -1;
    }
    ta.addrtype = atype;
    ta.v1 = v1;
    ta.v2 = v2;
    ta.v3 = v3;
    /* The kernel's scope is a signed char: 255 is -1, 256 is 0. */
    ta.scope = (signed char)(unsigned char)scope;
    r = csock_addr_tipc(out, &ta);
    if (r == -EINVAL) {
        PyErr_SetString(PyExc_TypeError, "Invalid address type");
        return -1;
    }
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    *len = (socklen_t)r;
    return 0;
}

/* ---- AF_ALG: (type, name[, feat[, mask]]) */
static int
parse_alg(PyObject *addr, csock_sockaddr *out, socklen_t *len,
          const char *caller)
{
    const char *type, *name;
    unsigned short feat = 0, mask = 0;
    int r;

    /* feat and mask are read as 16-bit values ("H", modulo 2**16) like
     * the stdlib does, although the kernel's fields have 32 bits. */
    if (require_tuple(addr, caller, "AF_ALG") < 0 ||
        !PyArg_ParseTuple(addr, "ss|HH;AF_ALG address must be a tuple "
                          "(type, name[, feat[, mask]])", &type, &name,
                          &feat, &mask)) {
        return -1;
    }
    r = csock_addr_alg(out, type, name, feat, mask);
    if (r == -EINVAL) {
        PyErr_SetString(PyExc_ValueError, "AF_ALG type too long.");
        return -1;
    }
    if (r == -ENAMETOOLONG) {
        PyErr_SetString(PyExc_ValueError, "AF_ALG name too long.");
        return -1;
    }
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    *len = (socklen_t)r;
    return 0;
}

/* ---- AF_BLUETOOTH: the form depends on the socket's protocol. */

/* A device address's text into bdaddr, with the stdlib's OSError. */
static int
bt_address(const char *text, unsigned char bdaddr[6])
{
    if (csock_addr_bdaddr_parse(text, bdaddr) < 0) {
        PyErr_SetString(PyExc_OSError, "bad bluetooth address");
        return -1;
    }
    return 0;
}

/* Any failure to read the address's items is reported as one OSError,
 * whatever getargs said, as the stdlib does for these protocols. */
static int
bt_wrong_format(const char *caller)
{
    PyErr_Format(PyExc_OSError, "%s(): wrong format", caller);
    return -1;
}

static int
parse_bluetooth(int proto, PyObject *addr, csock_sockaddr *out,
                socklen_t *len, const char *caller)
{
    const char *text;
    int num = 0, r, kind = csock_addr_bt_kind(proto);
    csock_bt_addr ba;

    memset(&ba, 0, sizeof(ba));
    switch (kind) {
    case CSOCK_BT_L2CAP:
    case CSOCK_BT_RFCOMM:
        /* (bdaddr, psm) and (bdaddr, channel). */
        if (!PyArg_ParseTuple(addr, "si", &text, &num)) {
            return bt_wrong_format(caller);
        }
        if (bt_address(text, ba.bdaddr) < 0) {
            return -1;
        }
        /* The kernel's fields are narrower than the C int read. */
        if (kind == CSOCK_BT_L2CAP) {
            ba.psm = (uint16_t)num;
        }
        else {
            ba.channel = (uint8_t)num;
        }
        break;
    case CSOCK_BT_HCI:
        /* (device_id,) on Linux. */
        if (!PyArg_ParseTuple(addr, "i", &num)) {
            return bt_wrong_format(caller);
        }
        ba.dev = (uint16_t)num;
        break;
    case CSOCK_BT_SCO:
        /* The address's text as bytes, not in a tuple. */
        if (!PyBytes_Check(addr)) {
            return bt_wrong_format(caller);
        }
        if (bt_address(PyBytes_AS_STRING(addr), ba.bdaddr) < 0) {
            return -1;
        }
        break;
    default:
        PyErr_Format(PyExc_OSError, "%s(): unknown Bluetooth protocol",
                     caller);
        return -1;
    }
    r = csock_addr_bluetooth(out, kind, &ba);
    if (r < 0) {
        csocket_set_core_error(r);
        return -1;
    }
    *len = (socklen_t)r;
    return 0;
}

int
csocket_parse_family_address(csocket_state *st, int family, int proto,
                             PyObject *addr, csock_sockaddr *out,
                             socklen_t *len, const char *caller)
{
    int kind = csock_addr_family_kind(family);

    (void)st;
    switch (kind) {
    case CSOCK_FAM_NETLINK:
    case CSOCK_FAM_VSOCK:
    case CSOCK_FAM_QIPCRTR:
        return parse_pair(family, kind, addr, out, len, caller);
    case CSOCK_FAM_PACKET:
        return parse_packet(addr, out, len, caller);
    case CSOCK_FAM_CAN:
        return parse_can(proto, addr, out, len, caller);
    case CSOCK_FAM_TIPC:
        return parse_tipc(addr, out, len, caller);
    case CSOCK_FAM_ALG:
        return parse_alg(addr, out, len, caller);
    case CSOCK_FAM_BLUETOOTH:
        return parse_bluetooth(proto, addr, out, len, caller);
    default:
        PyErr_Format(PyExc_OSError, "%s(): bad family", caller);
        return -1;
    }
}

/* ---- returned addresses */

/* An interface index as its name, "" when there is none or the lookup
 * fails (the stdlib does not report that failure either). */
static void
ifname_of(int ifindex, char *buf, size_t size)
{
    if (ifindex == 0 || csock_addr_ifname(ifindex, buf, size) < 0) {
        buf[0] = '\0';
    }
}

static PyObject *
make_packet(const csock_sockaddr *a, socklen_t len)
{
    csock_packet_addr pa;
    char ifname[CSOCK_IFNAMSIZ + 1];
    int r = csock_addr_get_packet(a, len, &pa);

    if (r < 0) {
        return csocket_set_core_error(r);
    }
    ifname_of(pa.ifindex, ifname, sizeof(ifname));
    return Py_BuildValue("(siiiy#)", ifname, (int)pa.protocol,
                         (int)pa.pkttype, (int)pa.hatype,
                         (const char *)pa.addr, (Py_ssize_t)pa.halen);
}

static PyObject *
make_can(const csock_sockaddr *a, socklen_t len, int proto)
{
    csock_can_addr ca;
    char ifname[CSOCK_IFNAMSIZ + 1];
    PyObject *name, *res;
    int r = csock_addr_get_can(a, len, &ca);

    if (r < 0) {
        return csocket_set_core_error(r);
    }
    ifname_of(ca.ifindex, ifname, sizeof(ifname));
    name = PyUnicode_DecodeFSDefault(ifname);
    if (name == NULL) {
        return NULL;
    }
    switch (csock_addr_can_kind(proto)) {
    case CSOCK_CAN_ISOTP:
        res = Py_BuildValue("(Okk)", name, (unsigned long)ca.rx_id,
                            (unsigned long)ca.tx_id);
        break;
    case CSOCK_CAN_J1939:
        res = Py_BuildValue("(OKIi)", name, (unsigned long long)ca.name,
                            (unsigned int)ca.pgn, (int)ca.addr);
        break;
    default:
        /* CAN_RAW, CAN_BCM and any other protocol: the interface alone. */
        res = PyTuple_Pack(1, name);
        break;
    }
    Py_DECREF(name);
    return res;
}

static PyObject *
make_tipc(const csock_sockaddr *a, socklen_t len)
{
    csock_tipc_addr ta;
    int r = csock_addr_get_tipc(a, len, &ta);

    if (r == -EINVAL) {
        PyErr_SetString(PyExc_ValueError, "Invalid address type");
        return NULL;
    }
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    /* The signed scope reads as an unsigned int: -2 is 4294967294, as
     * in the stdlib. */
    return Py_BuildValue("(IIIII)", ta.addrtype, (unsigned int)ta.v1,
                         (unsigned int)ta.v2, (unsigned int)ta.v3,
                         (unsigned int)(int)ta.scope);
}

static PyObject *
make_alg(const csock_sockaddr *a, socklen_t len)
{
    const char *type, *name;
    size_t typelen, namelen;
    uint32_t feat, mask;
    int r = csock_addr_get_alg(a, len, &type, &typelen, &name, &namelen,
                               &feat, &mask);

    if (r < 0) {
        return csocket_set_core_error(r);
    }
    return Py_BuildValue("(s#s#II)", type, (Py_ssize_t)typelen, name,
                         (Py_ssize_t)namelen, (unsigned int)feat,
                         (unsigned int)mask);
}

static PyObject *
make_bluetooth(const csock_sockaddr *a, socklen_t len, int proto)
{
    int kind = csock_addr_bt_kind(proto), r;
    csock_bt_addr ba;
    char text[18];

    if (kind < 0) {
        PyErr_SetString(PyExc_ValueError, "Unknown Bluetooth protocol");
        return NULL;
    }
    r = csock_addr_get_bluetooth(a, len, kind, &ba);
    if (r < 0) {
        return csocket_set_core_error(r);
    }
    csock_addr_bdaddr_format(ba.bdaddr, text);
    switch (kind) {
    case CSOCK_BT_L2CAP:
        return Py_BuildValue("(si)", text, (int)ba.psm);
    case CSOCK_BT_RFCOMM:
        return Py_BuildValue("(si)", text, (int)ba.channel);
    case CSOCK_BT_HCI:
        /* The device number alone, not the (device_id,) that bind()
         * takes: the stdlib's asymmetry. */
        return PyLong_FromLong((long)ba.dev);
    default:
        return PyUnicode_FromString(text);
    }
}

PyObject *
csocket_make_family_address(const csock_sockaddr *a, socklen_t len,
                            int proto)
{
    uint32_t x, y;
    int r;

    switch (csock_addr_family_kind(a->sa.sa_family)) {
    case CSOCK_FAM_NETLINK:
    case CSOCK_FAM_VSOCK:
    case CSOCK_FAM_QIPCRTR:
        r = csock_addr_get_pair(a, len, &x, &y);
        if (r < 0) {
            return csocket_set_core_error(r);
        }
        return Py_BuildValue("(II)", (unsigned int)x, (unsigned int)y);
    case CSOCK_FAM_PACKET:
        return make_packet(a, len);
    case CSOCK_FAM_CAN:
        return make_can(a, len, proto);
    case CSOCK_FAM_TIPC:
        return make_tipc(a, len);
    case CSOCK_FAM_ALG:
        return make_alg(a, len);
    case CSOCK_FAM_BLUETOOTH:
        return make_bluetooth(a, len, proto);
    default:
        /* A family this module does not decode: its number and the raw
         * sa_data bytes, as the stdlib gives for unknown families.  *a
         * is zero beyond len (csock_addr_copy), so the bytes the kernel
         * did not return read as zeros. */
        return Py_BuildValue("(iy#)", (int)a->sa.sa_family, a->sa.sa_data,
                             (Py_ssize_t)sizeof(a->sa.sa_data));
    }
}

int
csocket_getsockaddrlen(csocket_socket *s, socklen_t *len)
{
    int r = csock_addr_size_proto(s->family, s->proto);

    if (r == -EPROTONOSUPPORT) {
        /* AF_BLUETOOTH with a protocol that has no address form. */
        PyErr_SetString(PyExc_OSError,
                        "getsockaddrlen: unknown BT protocol");
        return -1;
    }
    if (r < 0) {
        PyErr_SetString(PyExc_OSError, "getsockaddrlen: bad family");
        return -1;
    }
    *len = (socklen_t)r;
    return 0;
}
