/*
 * addr_families.c - packing and unpacking the addresses of Linux's other
 * socket families (netlink, packet, CAN, TIPC, AF_ALG, vsock, RDS,
 * qipcrtr, and Bluetooth where BlueZ's headers exist), without Python.
 *
 * Each family is compiled in only where its kernel header exists (found
 * with __has_include, or assumed on Linux by compilers without it); on
 * other systems the functions stay and report -EAFNOSUPPORT, so that the
 * binding dispatches on CSOCK_FAM_* values and needs no #ifdef.
 *
 * Unpacking never reads past the length the kernel returned: the
 * structure is first copied into a zeroed one of its own size, up to
 * that length, so a short address reads as zeros in the fields it does
 * not cover, and variable parts (a hardware address) are clamped to it.
 */
#include "csock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#if defined(__has_include)
#  if __has_include(<linux/netlink.h>)
#    include <linux/netlink.h>
#    define CSOCK_HAVE_NETLINK 1
#  endif
#  if __has_include(<linux/if_packet.h>)
#    include <linux/if_packet.h>
#    define CSOCK_HAVE_PACKET 1
#  endif
#  if __has_include(<linux/can.h>)
#    include <linux/can.h>
#    define CSOCK_HAVE_CAN 1
#  endif
#  if __has_include(<linux/tipc.h>)
#    include <linux/tipc.h>
#    define CSOCK_HAVE_TIPC 1
#  endif
#  if __has_include(<linux/if_alg.h>)
#    include <linux/if_alg.h>
#    define CSOCK_HAVE_ALG 1
#  endif
#  if __has_include(<linux/vm_sockets.h>)
#    include <linux/vm_sockets.h>
#    define CSOCK_HAVE_VSOCK 1
#  endif
#  if __has_include(<linux/qrtr.h>)
#    include <linux/qrtr.h>
#    define CSOCK_HAVE_QIPCRTR 1
#  endif
#  if __has_include(<bluetooth/bluetooth.h>)
#    include <bluetooth/bluetooth.h>
#    include <bluetooth/l2cap.h>
#    include <bluetooth/rfcomm.h>
#    include <bluetooth/hci.h>
#    include <bluetooth/sco.h>
#    define CSOCK_HAVE_BLUETOOTH 1
#  endif
#elif defined(__linux__)
#  include <linux/netlink.h>
#  include <linux/if_packet.h>
#  define CSOCK_HAVE_NETLINK 1
#  define CSOCK_HAVE_PACKET 1
#endif

/* The families also need their AF_* number from <sys/socket.h>. */
#if defined(CSOCK_HAVE_NETLINK) && !defined(AF_NETLINK)
#  undef CSOCK_HAVE_NETLINK
#endif
#if defined(CSOCK_HAVE_PACKET) && !defined(AF_PACKET)
#  undef CSOCK_HAVE_PACKET
#endif
#if defined(CSOCK_HAVE_CAN) && !defined(AF_CAN)
#  undef CSOCK_HAVE_CAN
#endif
#if defined(CSOCK_HAVE_TIPC) && !defined(AF_TIPC)
#  undef CSOCK_HAVE_TIPC
#endif
#if defined(CSOCK_HAVE_ALG) && !defined(AF_ALG)
#  undef CSOCK_HAVE_ALG
#endif
#if defined(CSOCK_HAVE_VSOCK) && !defined(AF_VSOCK)
#  undef CSOCK_HAVE_VSOCK
#endif
#if defined(CSOCK_HAVE_QIPCRTR) && !defined(AF_QIPCRTR)
#  undef CSOCK_HAVE_QIPCRTR
#endif
#if defined(CSOCK_HAVE_BLUETOOTH) && !defined(AF_BLUETOOTH)
#  undef CSOCK_HAVE_BLUETOOTH
#endif

/* Copy the part of a returned address that salen covers into dst (a
 * structure of size bytes), zeroing the rest.  (inline: on systems
 * without any of these families nothing calls it.) */
static inline void
take(void *dst, size_t size, const csock_sockaddr *sa, socklen_t salen)
{
    size_t n = (size_t)salen < size ? (size_t)salen : size;

    memset(dst, 0, size);
    memcpy(dst, sa, n);
}

int
csock_addr_family_kind(int family)
{
    switch (family) {
    case AF_INET:
        return CSOCK_FAM_INET;
    case AF_INET6:
        return CSOCK_FAM_INET6;
    case AF_UNIX:
        return CSOCK_FAM_UNIX;
#ifdef CSOCK_HAVE_NETLINK
    case AF_NETLINK:
        return CSOCK_FAM_NETLINK;
#endif
#ifdef CSOCK_HAVE_PACKET
    case AF_PACKET:
        return CSOCK_FAM_PACKET;
#endif
#ifdef CSOCK_HAVE_CAN
    case AF_CAN:
        return CSOCK_FAM_CAN;
#endif
#ifdef CSOCK_HAVE_TIPC
    case AF_TIPC:
        return CSOCK_FAM_TIPC;
#endif
#ifdef CSOCK_HAVE_ALG
    case AF_ALG:
        return CSOCK_FAM_ALG;
#endif
#ifdef CSOCK_HAVE_VSOCK
    case AF_VSOCK:
        return CSOCK_FAM_VSOCK;
#endif
#ifdef AF_RDS
    /* RDS has no address structure of its own: it binds and connects
     * with a struct sockaddr_in whose family is AF_INET. */
    case AF_RDS:
        return CSOCK_FAM_RDS;
#endif
#ifdef CSOCK_HAVE_QIPCRTR
    case AF_QIPCRTR:
        return CSOCK_FAM_QIPCRTR;
#endif
#ifdef CSOCK_HAVE_BLUETOOTH
    case AF_BLUETOOTH:
        return CSOCK_FAM_BLUETOOTH;
#endif
    default:
        return CSOCK_FAM_UNKNOWN;
    }
}

int
csock__addr_family_size(int family)
{
    switch (csock_addr_family_kind(family)) {
#ifdef CSOCK_HAVE_NETLINK
    case CSOCK_FAM_NETLINK:
        return (int)sizeof(struct sockaddr_nl);
#endif
#ifdef CSOCK_HAVE_PACKET
    case CSOCK_FAM_PACKET:
        return (int)sizeof(struct sockaddr_ll);
#endif
#ifdef CSOCK_HAVE_CAN
    case CSOCK_FAM_CAN:
        return (int)sizeof(struct sockaddr_can);
#endif
#ifdef CSOCK_HAVE_TIPC
    case CSOCK_FAM_TIPC:
        return (int)sizeof(struct sockaddr_tipc);
#endif
#ifdef CSOCK_HAVE_ALG
    case CSOCK_FAM_ALG:
        return (int)sizeof(struct sockaddr_alg);
#endif
#ifdef CSOCK_HAVE_VSOCK
    case CSOCK_FAM_VSOCK:
        return (int)sizeof(struct sockaddr_vm);
#endif
    case CSOCK_FAM_RDS:
        return (int)sizeof(struct sockaddr_in);
#ifdef CSOCK_HAVE_QIPCRTR
    case CSOCK_FAM_QIPCRTR:
        return (int)sizeof(struct sockaddr_qrtr);
#endif
    default:
        /* AF_BLUETOOTH included: its size depends on the protocol. */
        return CSOCK_ERR(EAFNOSUPPORT);
    }
}

int
csock_addr_size_proto(int family, int proto)
{
    if (csock_addr_family_kind(family) != CSOCK_FAM_BLUETOOTH) {
        return csock_addr_size(family);
    }
    switch (csock_addr_bt_kind(proto)) {
#ifdef CSOCK_HAVE_BLUETOOTH
    case CSOCK_BT_L2CAP:
        return (int)sizeof(struct sockaddr_l2);
    case CSOCK_BT_RFCOMM:
        return (int)sizeof(struct sockaddr_rc);
    case CSOCK_BT_HCI:
        return (int)sizeof(struct sockaddr_hci);
    case CSOCK_BT_SCO:
        return (int)sizeof(struct sockaddr_sco);
#endif
    default:
        return CSOCK_ERR(EPROTONOSUPPORT);
    }
}

/* ---- the pair families: netlink, vsock, qipcrtr */

int
csock_addr_pair(csock_sockaddr *out, int family, uint32_t a, uint32_t b)
{
    switch (csock_addr_family_kind(family)) {
#ifdef CSOCK_HAVE_NETLINK
    case CSOCK_FAM_NETLINK: {
        struct sockaddr_nl nl;

        memset(&nl, 0, sizeof(nl));
        nl.nl_family = AF_NETLINK;
        nl.nl_pid = a;
        nl.nl_groups = b;
        memset(out, 0, sizeof(*out));
        memcpy(out, &nl, sizeof(nl));
        return (int)sizeof(nl);
    }
#endif
#ifdef CSOCK_HAVE_VSOCK
    case CSOCK_FAM_VSOCK: {
        struct sockaddr_vm vm;

        memset(&vm, 0, sizeof(vm));
        vm.svm_family = AF_VSOCK;
        vm.svm_cid = a;
        vm.svm_port = b;
        memset(out, 0, sizeof(*out));
        memcpy(out, &vm, sizeof(vm));
        return (int)sizeof(vm);
    }
#endif
#ifdef CSOCK_HAVE_QIPCRTR
    case CSOCK_FAM_QIPCRTR: {
        struct sockaddr_qrtr q;

        memset(&q, 0, sizeof(q));
        q.sq_family = AF_QIPCRTR;
        q.sq_node = a;
        q.sq_port = b;
        memset(out, 0, sizeof(*out));
        memcpy(out, &q, sizeof(q));
        return (int)sizeof(q);
    }
#endif
    default:
        (void)out;
        (void)a;
        (void)b;
        return CSOCK_ERR(EAFNOSUPPORT);
    }
}

int
csock_addr_get_pair(const csock_sockaddr *sa, socklen_t salen, uint32_t *a,
                    uint32_t *b)
{
    switch (csock_addr_family_kind(sa->sa.sa_family)) {
#ifdef CSOCK_HAVE_NETLINK
    case CSOCK_FAM_NETLINK: {
        struct sockaddr_nl nl;

        take(&nl, sizeof(nl), sa, salen);
        *a = nl.nl_pid;
        *b = nl.nl_groups;
        return 0;
    }
#endif
#ifdef CSOCK_HAVE_VSOCK
    case CSOCK_FAM_VSOCK: {
        struct sockaddr_vm vm;

        take(&vm, sizeof(vm), sa, salen);
        *a = vm.svm_cid;
        *b = vm.svm_port;
        return 0;
    }
#endif
#ifdef CSOCK_HAVE_QIPCRTR
    case CSOCK_FAM_QIPCRTR: {
        struct sockaddr_qrtr q;

        take(&q, sizeof(q), sa, salen);
        *a = q.sq_node;
        *b = q.sq_port;
        return 0;
    }
#endif
    default:
        (void)salen;
        *a = *b = 0;
        return CSOCK_ERR(EAFNOSUPPORT);
    }
}

/* ---- network interfaces */

int
csock_addr_ifindex(const char *name)
{
    unsigned int index;

    /* if_nametoindex() asks the kernel (SIOCGIFINDEX) and answers 0 with
     * errno ENODEV for an unknown name, including "". */
    errno = 0;
    index = if_nametoindex(name);
    if (index == 0) {
        return CSOCK_ERR(errno != 0 ? errno : ENODEV);
    }
    return (int)index;
}

int
csock_addr_ifname(int ifindex, char *buf, size_t size)
{
    char tmp[IF_NAMESIZE + 1];
    size_t n;

    if (size == 0) {
        return CSOCK_ERR(ENOSPC);
    }
    buf[0] = '\0';
    if (ifindex <= 0) {
        return CSOCK_ERR(ENODEV);
    }
    memset(tmp, 0, sizeof(tmp));
    errno = 0;
    if (if_indextoname((unsigned int)ifindex, tmp) == NULL) {
        return CSOCK_ERR(errno != 0 ? errno : ENXIO);
    }
    n = strnlen(tmp, IF_NAMESIZE);
    if (n >= size) {
        return CSOCK_ERR(ENOSPC);
    }
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return 0;
}

/* ---- AF_PACKET */

int
csock_addr_packet(csock_sockaddr *out, const csock_packet_addr *in)
{
#ifdef CSOCK_HAVE_PACKET
    struct sockaddr_ll ll;

    if (in->halen > CSOCK_PACKET_HALEN_MAX ||
        in->halen > sizeof(ll.sll_addr)) {
        return CSOCK_ERR(EMSGSIZE);
    }
    memset(&ll, 0, sizeof(ll));
    ll.sll_family = AF_PACKET;
    ll.sll_protocol = htons(in->protocol);
    ll.sll_ifindex = in->ifindex;
    ll.sll_hatype = in->hatype;
    ll.sll_pkttype = in->pkttype;
    ll.sll_halen = (unsigned char)in->halen;
    if (in->halen > 0) {
        memcpy(ll.sll_addr, in->addr, in->halen);
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, &ll, sizeof(ll));
    return (int)sizeof(ll);
#else
    (void)out;
    (void)in;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

int
csock_addr_get_packet(const csock_sockaddr *sa, socklen_t salen,
                      csock_packet_addr *out)
{
    memset(out, 0, sizeof(*out));
#ifdef CSOCK_HAVE_PACKET
    {
        const size_t addr_off = offsetof(struct sockaddr_ll, sll_addr);
        struct sockaddr_ll ll;
        size_t avail = 0;

        if (sa->sa.sa_family != AF_PACKET) {
            return CSOCK_ERR(EAFNOSUPPORT);
        }
        take(&ll, sizeof(ll), sa, salen);
        out->ifindex = ll.sll_ifindex;
        out->protocol = ntohs(ll.sll_protocol);
        out->pkttype = ll.sll_pkttype;
        out->hatype = ll.sll_hatype;
        /* Some link types (InfiniBand) have addresses longer than
         * sll_addr; the kernel then returns a longer address, which the
         * caller's buffer holds up to its own size.  Trust sll_halen only
         * as far as the returned length, and the buffer, reach. */
        if ((size_t)salen > sizeof(*sa)) {
            salen = (socklen_t)sizeof(*sa);
        }
        if ((size_t)salen > addr_off) {
            avail = (size_t)salen - addr_off;
        }
        out->halen = ll.sll_halen < avail ? ll.sll_halen : avail;
        out->addr = (const unsigned char *)sa + addr_off;
        return 0;
    }
#else
    (void)sa;
    (void)salen;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

/* ---- AF_CAN */

int
csock_addr_can_kind(int proto)
{
    switch (proto) {
#ifdef CSOCK_HAVE_CAN
#  ifdef CAN_RAW
    case CAN_RAW:
        return CSOCK_CAN_PLAIN;
#  endif
#  ifdef CAN_BCM
    case CAN_BCM:
        return CSOCK_CAN_PLAIN;
#  endif
#  ifdef CAN_ISOTP
    case CAN_ISOTP:
        return CSOCK_CAN_ISOTP;
#  endif
#  ifdef CAN_J1939
    case CAN_J1939:
        return CSOCK_CAN_J1939;
#  endif
#endif
    default:
        return CSOCK_ERR(EPROTONOSUPPORT);
    }
}

int
csock_addr_can(csock_sockaddr *out, int kind, const csock_can_addr *in)
{
#ifdef CSOCK_HAVE_CAN
    struct sockaddr_can can;

    memset(&can, 0, sizeof(can));
    can.can_family = AF_CAN;
    can.can_ifindex = in->ifindex;
    switch (kind) {
    case CSOCK_CAN_PLAIN:
        break;
#  ifdef CAN_ISOTP
    case CSOCK_CAN_ISOTP:
        can.can_addr.tp.rx_id = in->rx_id;
        can.can_addr.tp.tx_id = in->tx_id;
        break;
#  endif
#  ifdef CAN_J1939
    case CSOCK_CAN_J1939:
        can.can_addr.j1939.name = in->name;
        can.can_addr.j1939.pgn = in->pgn;
        can.can_addr.j1939.addr = in->addr;
        break;
#  endif
    default:
        return CSOCK_ERR(EAFNOSUPPORT);
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, &can, sizeof(can));
    return (int)sizeof(can);
#else
    (void)out;
    (void)kind;
    (void)in;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

int
csock_addr_get_can(const csock_sockaddr *sa, socklen_t salen,
                   csock_can_addr *out)
{
    memset(out, 0, sizeof(*out));
#ifdef CSOCK_HAVE_CAN
    {
        struct sockaddr_can can;

        if (sa->sa.sa_family != AF_CAN) {
            return CSOCK_ERR(EAFNOSUPPORT);
        }
        take(&can, sizeof(can), sa, salen);
        out->ifindex = can.can_ifindex;
#  ifdef CAN_ISOTP
        out->rx_id = can.can_addr.tp.rx_id;
        out->tx_id = can.can_addr.tp.tx_id;
#  endif
#  ifdef CAN_J1939
        out->name = can.can_addr.j1939.name;
        out->pgn = can.can_addr.j1939.pgn;
        out->addr = can.can_addr.j1939.addr;
#  endif
        return 0;
    }
#else
    (void)sa;
    (void)salen;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

/* ---- AF_TIPC */

int
csock_addr_tipc(csock_sockaddr *out, const csock_tipc_addr *in)
{
#ifdef CSOCK_HAVE_TIPC
    struct sockaddr_tipc t;

    memset(&t, 0, sizeof(t));
    t.family = AF_TIPC;
    t.addrtype = (unsigned char)in->addrtype;
    t.scope = in->scope;
    /* The type is checked at its full width: 257 is not 1. */
    switch (in->addrtype) {
    case TIPC_ADDR_NAMESEQ:
        t.addr.nameseq.type = in->v1;
        t.addr.nameseq.lower = in->v2;
        t.addr.nameseq.upper = in->v3;
        break;
    case TIPC_ADDR_NAME:
        t.addr.name.name.type = in->v1;
        t.addr.name.name.instance = in->v2;
        break;
    case TIPC_ADDR_ID:
        t.addr.id.node = in->v1;
        t.addr.id.ref = in->v2;
        break;
    default:
        return CSOCK_ERR(EINVAL);
    }
    memset(out, 0, sizeof(*out));
    memcpy(out, &t, sizeof(t));
    return (int)sizeof(t);
#else
    (void)out;
    (void)in;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

int
csock_addr_get_tipc(const csock_sockaddr *sa, socklen_t salen,
                    csock_tipc_addr *out)
{
    memset(out, 0, sizeof(*out));
#ifdef CSOCK_HAVE_TIPC
    {
        struct sockaddr_tipc t;

        if (sa->sa.sa_family != AF_TIPC) {
            return CSOCK_ERR(EAFNOSUPPORT);
        }
        take(&t, sizeof(t), sa, salen);
        out->addrtype = t.addrtype;
        out->scope = t.scope;
        switch (t.addrtype) {
        case TIPC_ADDR_NAMESEQ:
            out->v1 = t.addr.nameseq.type;
            out->v2 = t.addr.nameseq.lower;
            out->v3 = t.addr.nameseq.upper;
            return 0;
        case TIPC_ADDR_NAME:
            /* A name has no upper bound: the instance stands in for it,
             * as in the stdlib's tuple. */
            out->v1 = t.addr.name.name.type;
            out->v2 = t.addr.name.name.instance;
            out->v3 = t.addr.name.name.instance;
            return 0;
        case TIPC_ADDR_ID:
            out->v1 = t.addr.id.node;
            out->v2 = t.addr.id.ref;
            out->v3 = 0;
            return 0;
        default:
            return CSOCK_ERR(EINVAL);
        }
    }
#else
    (void)sa;
    (void)salen;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

/* ---- AF_ALG */

int
csock_addr_alg(csock_sockaddr *out, const char *type, const char *name,
               uint32_t feat, uint32_t mask)
{
#ifdef CSOCK_HAVE_ALG
    struct sockaddr_alg alg;
    size_t tlen = strlen(type), nlen = strlen(name);

    /* Both fields are fixed-size and the kernel wants them
     * NUL-terminated. */
    if (tlen >= sizeof(alg.salg_type)) {
        return CSOCK_ERR(EINVAL);
    }
    if (nlen >= sizeof(alg.salg_name)) {
        return CSOCK_ERR(ENAMETOOLONG);
    }
    memset(&alg, 0, sizeof(alg));
    alg.salg_family = AF_ALG;
    memcpy(alg.salg_type, type, tlen);
    memcpy(alg.salg_name, name, nlen);
    alg.salg_feat = feat;
    alg.salg_mask = mask;
    memset(out, 0, sizeof(*out));
    memcpy(out, &alg, sizeof(alg));
    return (int)sizeof(alg);
#else
    (void)out;
    (void)type;
    (void)name;
    (void)feat;
    (void)mask;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

int
csock_addr_get_alg(const csock_sockaddr *sa, socklen_t salen,
                   const char **type, size_t *typelen, const char **name,
                   size_t *namelen, uint32_t *feat, uint32_t *mask)
{
    *type = *name = "";
    *typelen = *namelen = 0;
    *feat = *mask = 0;
#ifdef CSOCK_HAVE_ALG
    {
        const size_t toff = offsetof(struct sockaddr_alg, salg_type);
        const size_t noff = offsetof(struct sockaddr_alg, salg_name);
        const size_t tsize = sizeof(((struct sockaddr_alg *)0)->salg_type);
        const size_t nsize = sizeof(((struct sockaddr_alg *)0)->salg_name);
        struct sockaddr_alg alg;
        size_t len = (size_t)salen;

        if (sa->sa.sa_family != AF_ALG) {
            return CSOCK_ERR(EAFNOSUPPORT);
        }
        if (len > sizeof(alg)) {
            len = sizeof(alg);
        }
        take(&alg, sizeof(alg), sa, salen);
        /* The strings stay in *sa (the caller's storage), bounded by
         * their field and by the returned length. */
        *type = (const char *)sa + toff;
        *typelen = len > toff ? strnlen(*type, len - toff < tsize
                                        ? len - toff : tsize) : 0;
        *name = (const char *)sa + noff;
        *namelen = len > noff ? strnlen(*name, len - noff < nsize
                                        ? len - noff : nsize) : 0;
        *feat = alg.salg_feat;
        *mask = alg.salg_mask;
        return 0;
    }
#else
    (void)sa;
    (void)salen;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

/* ---- AF_BLUETOOTH (BlueZ) */

int
csock_addr_bt_kind(int proto)
{
    switch (proto) {
#ifdef CSOCK_HAVE_BLUETOOTH
    case BTPROTO_L2CAP:
        return CSOCK_BT_L2CAP;
    case BTPROTO_RFCOMM:
        return CSOCK_BT_RFCOMM;
    case BTPROTO_HCI:
        return CSOCK_BT_HCI;
    case BTPROTO_SCO:
        return CSOCK_BT_SCO;
#endif
    default:
        return CSOCK_ERR(EPROTONOSUPPORT);
    }
}

int
csock_addr_bdaddr_parse(const char *text, unsigned char out[6])
{
    unsigned int f[6];
    char extra;
    int i;

    /* sscanf's %2x, as the stdlib reads the text: one or two hex digits
     * per field; the trailing %c catches anything after the sixth. */
    if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &f[0], &f[1], &f[2],
               &f[3], &f[4], &f[5], &extra) != 6) {
        return CSOCK_ERR(EINVAL);
    }
    for (i = 0; i < 6; i++) {
        if (f[i] > 0xff) {
            return CSOCK_ERR(EINVAL);
        }
        out[i] = (unsigned char)f[i];
    }
    return 0;
}

void
csock_addr_bdaddr_format(const unsigned char in[6], char buf[18])
{
    snprintf(buf, 18, "%02X:%02X:%02X:%02X:%02X:%02X", in[0], in[1], in[2],
             in[3], in[4], in[5]);
}

#ifdef CSOCK_HAVE_BLUETOOTH
/* bdaddr_t is least significant byte first: the text's last field is
 * its first byte. */
static void
bdaddr_store(bdaddr_t *dst, const unsigned char src[6])
{
    int i;

    for (i = 0; i < 6; i++) {
        dst->b[5 - i] = src[i];
    }
}

static void
bdaddr_load(unsigned char dst[6], const bdaddr_t *src)
{
    int i;

    for (i = 0; i < 6; i++) {
        dst[i] = src->b[5 - i];
    }
}
#endif

int
csock_addr_bluetooth(csock_sockaddr *out, int kind, const csock_bt_addr *in)
{
#ifdef CSOCK_HAVE_BLUETOOTH
    memset(out, 0, sizeof(*out));
    switch (kind) {
    case CSOCK_BT_L2CAP: {
        struct sockaddr_l2 l2;

        memset(&l2, 0, sizeof(l2));
        l2.l2_family = AF_BLUETOOTH;
        l2.l2_psm = in->psm;
        bdaddr_store(&l2.l2_bdaddr, in->bdaddr);
        memcpy(out, &l2, sizeof(l2));
        return (int)sizeof(l2);
    }
    case CSOCK_BT_RFCOMM: {
        struct sockaddr_rc rc;

        memset(&rc, 0, sizeof(rc));
        rc.rc_family = AF_BLUETOOTH;
        rc.rc_channel = in->channel;
        bdaddr_store(&rc.rc_bdaddr, in->bdaddr);
        memcpy(out, &rc, sizeof(rc));
        return (int)sizeof(rc);
    }
    case CSOCK_BT_HCI: {
        struct sockaddr_hci hci;

        memset(&hci, 0, sizeof(hci));
        hci.hci_family = AF_BLUETOOTH;
        hci.hci_dev = in->dev;
        hci.hci_channel = HCI_CHANNEL_RAW;
        memcpy(out, &hci, sizeof(hci));
        return (int)sizeof(hci);
    }
    case CSOCK_BT_SCO: {
        struct sockaddr_sco sco;

        memset(&sco, 0, sizeof(sco));
        sco.sco_family = AF_BLUETOOTH;
        bdaddr_store(&sco.sco_bdaddr, in->bdaddr);
        memcpy(out, &sco, sizeof(sco));
        return (int)sizeof(sco);
    }
    default:
        return CSOCK_ERR(EAFNOSUPPORT);
    }
#else
    (void)out;
    (void)kind;
    (void)in;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}

int
csock_addr_get_bluetooth(const csock_sockaddr *sa, socklen_t salen, int kind,
                         csock_bt_addr *out)
{
    memset(out, 0, sizeof(*out));
#ifdef CSOCK_HAVE_BLUETOOTH
    if (sa->sa.sa_family != AF_BLUETOOTH) {
        return CSOCK_ERR(EAFNOSUPPORT);
    }
    switch (kind) {
    case CSOCK_BT_L2CAP: {
        struct sockaddr_l2 l2;

        take(&l2, sizeof(l2), sa, salen);
        out->psm = l2.l2_psm;
        bdaddr_load(out->bdaddr, &l2.l2_bdaddr);
        return 0;
    }
    case CSOCK_BT_RFCOMM: {
        struct sockaddr_rc rc;

        take(&rc, sizeof(rc), sa, salen);
        out->channel = rc.rc_channel;
        bdaddr_load(out->bdaddr, &rc.rc_bdaddr);
        return 0;
    }
    case CSOCK_BT_HCI: {
        struct sockaddr_hci hci;

        take(&hci, sizeof(hci), sa, salen);
        out->dev = hci.hci_dev;
        return 0;
    }
    case CSOCK_BT_SCO: {
        struct sockaddr_sco sco;

        take(&sco, sizeof(sco), sa, salen);
        bdaddr_load(out->bdaddr, &sco.sco_bdaddr);
        return 0;
    }
    default:
        return CSOCK_ERR(EAFNOSUPPORT);
    }
#else
    (void)sa;
    (void)salen;
    (void)kind;
    return CSOCK_ERR(EAFNOSUPPORT);
#endif
}
