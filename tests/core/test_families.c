/* test_families.c - the other address families (src/core/addr_families.c):
 * netlink, packet, CAN, TIPC, AF_ALG, vsock, RDS, qipcrtr.
 *
 *   make -C tests/core check    (links every src/core file)
 *
 * Pure packing and unpacking, checked against the kernel's structures
 * field by field, so it runs where the kernel lacks the families.  Only
 * the interface tests ask the system (about "lo"). */
#include "csock.h"
#include "ctest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>

#ifdef __linux__
#include <linux/can.h>
#include <linux/if_alg.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/qrtr.h>
#include <linux/tipc.h>
#include <linux/vm_sockets.h>

#if defined(__has_include)
#  if __has_include(<bluetooth/bluetooth.h>)
#    include <bluetooth/bluetooth.h>
#    include <bluetooth/l2cap.h>
#    include <bluetooth/rfcomm.h>
#    include <bluetooth/hci.h>
#    include <bluetooth/sco.h>
#    define HAVE_BLUEZ 1
#  endif
#endif

/* A returned address: the first len bytes of src, the rest of the
 * buffer filled with junk that unpacking must never look at. */
static void
returned(csock_sockaddr *sa, const void *src, size_t len)
{
    memset(sa, 0xA5, sizeof(*sa));
    memcpy(sa, src, len);
}

static void
test_kinds_and_sizes(void)
{
    CHECK_EQ(csock_addr_family_kind(AF_INET), CSOCK_FAM_INET);
    CHECK_EQ(csock_addr_family_kind(AF_NETLINK), CSOCK_FAM_NETLINK);
    CHECK_EQ(csock_addr_family_kind(AF_PACKET), CSOCK_FAM_PACKET);
    CHECK_EQ(csock_addr_family_kind(AF_CAN), CSOCK_FAM_CAN);
    CHECK_EQ(csock_addr_family_kind(AF_TIPC), CSOCK_FAM_TIPC);
    CHECK_EQ(csock_addr_family_kind(AF_ALG), CSOCK_FAM_ALG);
    CHECK_EQ(csock_addr_family_kind(AF_VSOCK), CSOCK_FAM_VSOCK);
    CHECK_EQ(csock_addr_family_kind(AF_RDS), CSOCK_FAM_RDS);
    CHECK_EQ(csock_addr_family_kind(AF_QIPCRTR), CSOCK_FAM_QIPCRTR);
    CHECK_EQ(csock_addr_family_kind(44 /* AF_XDP */), CSOCK_FAM_UNKNOWN);
    CHECK_EQ(csock_addr_family_kind(AF_UNSPEC), CSOCK_FAM_UNKNOWN);

    CHECK_EQ(csock_addr_size(AF_NETLINK), sizeof(struct sockaddr_nl));
    CHECK_EQ(csock_addr_size(AF_PACKET), sizeof(struct sockaddr_ll));
    CHECK_EQ(csock_addr_size(AF_CAN), sizeof(struct sockaddr_can));
    CHECK_EQ(csock_addr_size(AF_TIPC), sizeof(struct sockaddr_tipc));
    CHECK_EQ(csock_addr_size(AF_ALG), sizeof(struct sockaddr_alg));
    CHECK_EQ(csock_addr_size(AF_VSOCK), sizeof(struct sockaddr_vm));
    CHECK_EQ(csock_addr_size(AF_RDS), sizeof(struct sockaddr_in));
    CHECK_EQ(csock_addr_size(AF_QIPCRTR), sizeof(struct sockaddr_qrtr));
    CHECK_EQ(csock_addr_size(44), -EAFNOSUPPORT);
    CHECK_EQ(csock_addr_size(AF_UNSPEC), -EAFNOSUPPORT);
    /* Every structure fits the buffer. */
    CHECK(sizeof(csock_sockaddr) >= sizeof(struct sockaddr_alg));
    CHECK(sizeof(csock_sockaddr) >= sizeof(struct sockaddr_can));
}

static void
test_pairs(void)
{
    csock_sockaddr sa, back;
    struct sockaddr_nl nl;
    struct sockaddr_vm vm;
    struct sockaddr_qrtr q;
    uint32_t a = 1, b = 1;

    memset(&sa, 0x5A, sizeof(sa));
    CHECK_EQ(csock_addr_pair(&sa, AF_NETLINK, 0xdeadbeef, 7),
             sizeof(struct sockaddr_nl));
    memcpy(&nl, &sa, sizeof(nl));
    CHECK_EQ(nl.nl_family, AF_NETLINK);
    CHECK_EQ(nl.nl_pad, 0);
    CHECK_EQ(nl.nl_pid, 0xdeadbeef);
    CHECK_EQ(nl.nl_groups, 7);
    CHECK_EQ(csock_addr_get_pair(&sa, sizeof(nl), &a, &b), 0);
    CHECK_EQ(a, 0xdeadbeef);
    CHECK_EQ(b, 7);

    CHECK_EQ(csock_addr_pair(&sa, AF_VSOCK, 3, 1024),
             sizeof(struct sockaddr_vm));
    memcpy(&vm, &sa, sizeof(vm));
    CHECK_EQ(vm.svm_family, AF_VSOCK);
    CHECK_EQ(vm.svm_cid, 3);
    CHECK_EQ(vm.svm_port, 1024);
    CHECK_EQ(csock_addr_get_pair(&sa, sizeof(vm), &a, &b), 0);
    CHECK_EQ(a, 3);
    CHECK_EQ(b, 1024);

    CHECK_EQ(csock_addr_pair(&sa, AF_QIPCRTR, 0xffffffff, 0),
             sizeof(struct sockaddr_qrtr));
    memcpy(&q, &sa, sizeof(q));
    CHECK_EQ(q.sq_family, AF_QIPCRTR);
    CHECK_EQ(q.sq_node, 0xffffffff);
    CHECK_EQ(q.sq_port, 0);

    CHECK_EQ(csock_addr_pair(&sa, AF_INET, 1, 2), -EAFNOSUPPORT);
    CHECK_EQ(csock_addr_pair(&sa, 44, 1, 2), -EAFNOSUPPORT);

    /* Short returned addresses: the missing fields are zero, whatever
     * follows in the buffer. */
    memset(&nl, 0, sizeof(nl));
    nl.nl_family = AF_NETLINK;
    nl.nl_pid = 5;
    nl.nl_groups = 6;
    returned(&back, &nl, 2);
    CHECK_EQ(csock_addr_get_pair(&back, 2, &a, &b), 0);
    CHECK_EQ(a, 0);
    CHECK_EQ(b, 0);
    returned(&back, &nl, 8);
    CHECK_EQ(csock_addr_get_pair(&back, 8, &a, &b), 0);
    CHECK_EQ(a, 5);
    CHECK_EQ(b, 0);
    returned(&back, &nl, 10);
    CHECK_EQ(csock_addr_get_pair(&back, 10, &a, &b), 0);
    CHECK_EQ(a, 5);
    /* Half of groups came back: 6 or 0 by byte order, never the junk. */
    CHECK(b == 6 || b == 0);
    /* A length longer than the structure reads the structure only. */
    returned(&back, &nl, sizeof(nl));
    CHECK_EQ(csock_addr_get_pair(&back, 200, &a, &b), 0);
    CHECK_EQ(b, 6);
    /* Not a pair family. */
    CHECK_EQ(csock_addr_get_pair(&sa, 0, &a, &b), 0);  /* qipcrtr, len 0 */
    CHECK_EQ(a, 0);
    sa.sa.sa_family = AF_INET;
    CHECK_EQ(csock_addr_get_pair(&sa, 16, &a, &b), -EAFNOSUPPORT);
}

static void
test_interfaces(void)
{
    char name[CSOCK_IFNAMSIZ];
    int lo = csock_addr_ifindex("lo");

    CHECK(lo > 0);
    CHECK_EQ(csock_addr_ifname(lo, name, sizeof(name)), 0);
    CHECK_STR(name, "lo");
    CHECK_EQ(csock_addr_ifindex("nonexistent0"), -ENODEV);
    CHECK_EQ(csock_addr_ifindex(""), -ENODEV);
    CHECK(csock_addr_ifname(0, name, sizeof(name)) < 0);
    CHECK_STR(name, "");
    CHECK(csock_addr_ifname(0x7ffffff0, name, sizeof(name)) < 0);
    CHECK_STR(name, "");
    CHECK_EQ(csock_addr_ifname(lo, name, 2), -ENOSPC);
    CHECK_STR(name, "");
}

static void
test_packet(void)
{
    const unsigned char mac[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const unsigned char longaddr[16] = {
        0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
        0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
    const size_t aoff = offsetof(struct sockaddr_ll, sll_addr);
    csock_packet_addr in, out;
    csock_sockaddr sa, back;
    struct sockaddr_ll ll;

    memset(&in, 0, sizeof(in));
    in.ifindex = 7;
    in.protocol = 0x88cc;
    in.pkttype = 3;
    in.hatype = 772;
    in.addr = mac;
    in.halen = 6;
    memset(&sa, 0x5A, sizeof(sa));
    CHECK_EQ(csock_addr_packet(&sa, &in), sizeof(struct sockaddr_ll));
    memcpy(&ll, &sa, sizeof(ll));
    CHECK_EQ(ll.sll_family, AF_PACKET);
    CHECK_EQ(ll.sll_protocol, htons(0x88cc));
    CHECK_EQ(ll.sll_ifindex, 7);
    CHECK_EQ(ll.sll_pkttype, 3);
    CHECK_EQ(ll.sll_hatype, 772);
    CHECK_EQ(ll.sll_halen, 6);
    CHECK(memcmp(ll.sll_addr, mac, 6) == 0);
    CHECK_EQ(ll.sll_addr[6], 0);   /* unused bytes are zero */
    CHECK_EQ(ll.sll_addr[7], 0);

    CHECK_EQ(csock_addr_get_packet(&sa, sizeof(ll), &out), 0);
    CHECK_EQ(out.ifindex, 7);
    CHECK_EQ(out.protocol, 0x88cc);
    CHECK_EQ(out.pkttype, 3);
    CHECK_EQ(out.hatype, 772);
    CHECK_EQ(out.halen, 6);
    CHECK(memcmp(out.addr, mac, 6) == 0);

    in.halen = 8;
    CHECK_EQ(csock_addr_packet(&sa, &in), sizeof(struct sockaddr_ll));
    in.halen = 9;
    CHECK_EQ(csock_addr_packet(&sa, &in), -EMSGSIZE);
    in.halen = 0;
    in.addr = NULL;
    CHECK_EQ(csock_addr_packet(&sa, &in), sizeof(struct sockaddr_ll));
    CHECK_EQ(csock_addr_get_packet(&sa, sizeof(ll), &out), 0);
    CHECK_EQ(out.halen, 0);

    /* sll_halen says 16, and 16 bytes came back (a link type with long
     * addresses): all of them, from the buffer past the structure. */
    memset(&ll, 0, sizeof(ll));
    ll.sll_family = AF_PACKET;
    ll.sll_halen = 16;
    memset(&back, 0xA5, sizeof(back));
    memcpy(&back, &ll, aoff);
    memcpy((char *)&back + aoff, longaddr, 16);
    CHECK_EQ(csock_addr_get_packet(&back, (socklen_t)(aoff + 16), &out), 0);
    CHECK_EQ(out.halen, 16);
    CHECK(memcmp(out.addr, longaddr, 16) == 0);
    /* ... but only 10 returned: 10. */
    CHECK_EQ(csock_addr_get_packet(&back, (socklen_t)(aoff + 10), &out), 0);
    CHECK_EQ(out.halen, 10);
    /* sll_halen 255 and the kernel claims more than the buffer holds:
     * never beyond the buffer. */
    ll.sll_halen = 255;
    memcpy(&back, &ll, aoff);
    CHECK_EQ(csock_addr_get_packet(&back, 100000, &out), 0);
    CHECK_EQ(out.halen, sizeof(csock_sockaddr) - aoff);
    /* A header cut before sll_halen: no address at all. */
    returned(&back, &ll, 10);
    CHECK_EQ(csock_addr_get_packet(&back, 10, &out), 0);
    CHECK_EQ(out.halen, 0);
    CHECK_EQ(out.pkttype, 0);
    CHECK_EQ(csock_addr_get_packet(&back, 0, &out), 0);
    CHECK_EQ(out.ifindex, 0);
    back.sa.sa_family = AF_INET;
    CHECK_EQ(csock_addr_get_packet(&back, 20, &out), -EAFNOSUPPORT);
}

static void
test_can(void)
{
    csock_can_addr in, out;
    csock_sockaddr sa, back;
    struct sockaddr_can can;

    CHECK_EQ(csock_addr_can_kind(CAN_RAW), CSOCK_CAN_PLAIN);
    CHECK_EQ(csock_addr_can_kind(CAN_BCM), CSOCK_CAN_PLAIN);
    CHECK_EQ(csock_addr_can_kind(CAN_ISOTP), CSOCK_CAN_ISOTP);
    CHECK_EQ(csock_addr_can_kind(CAN_J1939), CSOCK_CAN_J1939);
    CHECK_EQ(csock_addr_can_kind(99), -EPROTONOSUPPORT);
    CHECK_EQ(csock_addr_can_kind(0), -EPROTONOSUPPORT);

    memset(&in, 0, sizeof(in));
    in.ifindex = 3;
    in.rx_id = 0x123;
    in.tx_id = 0x456;
    in.name = 0x0102030405060708ULL;
    in.pgn = 0x12345;
    in.addr = 0xff;

    memset(&sa, 0x5A, sizeof(sa));
    CHECK_EQ(csock_addr_can(&sa, CSOCK_CAN_PLAIN, &in),
             sizeof(struct sockaddr_can));
    memcpy(&can, &sa, sizeof(can));
    CHECK_EQ(can.can_family, AF_CAN);
    CHECK_EQ(can.can_ifindex, 3);
    CHECK_EQ(can.can_addr.tp.rx_id, 0);   /* unused: zero */

    CHECK_EQ(csock_addr_can(&sa, CSOCK_CAN_ISOTP, &in),
             sizeof(struct sockaddr_can));
    memcpy(&can, &sa, sizeof(can));
    CHECK_EQ(can.can_addr.tp.rx_id, 0x123);
    CHECK_EQ(can.can_addr.tp.tx_id, 0x456);

    CHECK_EQ(csock_addr_can(&sa, CSOCK_CAN_J1939, &in),
             sizeof(struct sockaddr_can));
    memcpy(&can, &sa, sizeof(can));
    CHECK(can.can_addr.j1939.name == 0x0102030405060708ULL);
    CHECK_EQ(can.can_addr.j1939.pgn, 0x12345);
    CHECK_EQ(can.can_addr.j1939.addr, 0xff);
    CHECK_EQ(csock_addr_get_can(&sa, sizeof(can), &out), 0);
    CHECK_EQ(out.ifindex, 3);
    CHECK(out.name == 0x0102030405060708ULL);
    CHECK_EQ(out.pgn, 0x12345);
    CHECK_EQ(out.addr, 0xff);

    CHECK_EQ(csock_addr_can(&sa, 42, &in), -EAFNOSUPPORT);

    /* Short: only family and ifindex came back. */
    returned(&back, &can, 8);
    CHECK_EQ(csock_addr_get_can(&back, 8, &out), 0);
    CHECK_EQ(out.ifindex, 3);
    CHECK(out.name == 0);
    CHECK_EQ(out.pgn, 0);
    CHECK_EQ(out.rx_id, 0);
    back.sa.sa_family = AF_INET;
    CHECK_EQ(csock_addr_get_can(&back, 8, &out), -EAFNOSUPPORT);
}

static void
test_tipc(void)
{
    csock_tipc_addr in, out;
    csock_sockaddr sa, back;
    struct sockaddr_tipc t;

    memset(&in, 0, sizeof(in));
    in.addrtype = TIPC_ADDR_NAMESEQ;
    in.v1 = 1;
    in.v2 = 2;
    in.v3 = 3;
    in.scope = TIPC_CLUSTER_SCOPE;
    CHECK_EQ(CSOCK_TIPC_CLUSTER_SCOPE, TIPC_CLUSTER_SCOPE);
    CHECK_EQ(csock_addr_tipc(&sa, &in), sizeof(struct sockaddr_tipc));
    memcpy(&t, &sa, sizeof(t));
    CHECK_EQ(t.family, AF_TIPC);
    CHECK_EQ(t.addrtype, TIPC_ADDR_NAMESEQ);
    CHECK_EQ(t.scope, TIPC_CLUSTER_SCOPE);
    CHECK_EQ(t.addr.nameseq.type, 1);
    CHECK_EQ(t.addr.nameseq.lower, 2);
    CHECK_EQ(t.addr.nameseq.upper, 3);
    CHECK_EQ(csock_addr_get_tipc(&sa, sizeof(t), &out), 0);
    CHECK_EQ(out.addrtype, 1);
    CHECK_EQ(out.v1, 1);
    CHECK_EQ(out.v2, 2);
    CHECK_EQ(out.v3, 3);
    CHECK_EQ(out.scope, 2);

    in.addrtype = TIPC_ADDR_NAME;
    in.scope = -1;
    CHECK_EQ(csock_addr_tipc(&sa, &in), sizeof(struct sockaddr_tipc));
    memcpy(&t, &sa, sizeof(t));
    CHECK_EQ(t.addr.name.name.type, 1);
    CHECK_EQ(t.addr.name.name.instance, 2);
    CHECK_EQ(t.addr.name.domain, 0);
    CHECK_EQ(csock_addr_get_tipc(&sa, sizeof(t), &out), 0);
    CHECK_EQ(out.v2, 2);
    CHECK_EQ(out.v3, 2);            /* the instance again */
    CHECK_EQ(out.scope, -1);

    in.addrtype = TIPC_ADDR_ID;
    CHECK_EQ(csock_addr_tipc(&sa, &in), sizeof(struct sockaddr_tipc));
    memcpy(&t, &sa, sizeof(t));
    CHECK_EQ(t.addr.id.node, 1);
    CHECK_EQ(t.addr.id.ref, 2);
    CHECK_EQ(csock_addr_get_tipc(&sa, sizeof(t), &out), 0);
    CHECK_EQ(out.v1, 1);
    CHECK_EQ(out.v2, 2);
    CHECK_EQ(out.v3, 0);

    in.addrtype = 4;
    CHECK_EQ(csock_addr_tipc(&sa, &in), -EINVAL);
    in.addrtype = 257;      /* not 1, although its low byte is */
    CHECK_EQ(csock_addr_tipc(&sa, &in), -EINVAL);
    in.addrtype = 0;
    CHECK_EQ(csock_addr_tipc(&sa, &in), -EINVAL);

    t.addrtype = 5;
    returned(&back, &t, sizeof(t));
    CHECK_EQ(csock_addr_get_tipc(&back, sizeof(t), &out), -EINVAL);
    /* Four bytes: the address type and scope only. */
    t.addrtype = TIPC_ADDR_NAMESEQ;
    t.scope = 3;
    returned(&back, &t, 4);
    CHECK_EQ(csock_addr_get_tipc(&back, 4, &out), 0);
    CHECK_EQ(out.addrtype, 1);
    CHECK_EQ(out.scope, 3);
    CHECK_EQ(out.v1, 0);
    CHECK_EQ(out.v3, 0);
    /* Two bytes: the type reads as 0, which is no type. */
    returned(&back, &t, 2);
    CHECK_EQ(csock_addr_get_tipc(&back, 2, &out), -EINVAL);
}

static void
test_alg(void)
{
    csock_sockaddr sa, back;
    struct sockaddr_alg alg;
    const char *type, *name;
    size_t tl, nl;
    uint32_t feat, mask;
    char longtype[sizeof(alg.salg_type) + 1];
    char longname[sizeof(alg.salg_name) + 1];

    memset(&sa, 0x5A, sizeof(sa));
    CHECK_EQ(csock_addr_alg(&sa, "hash", "sha256", 0x1234, 0xffffffff),
             sizeof(struct sockaddr_alg));
    memcpy(&alg, &sa, sizeof(alg));
    CHECK_EQ(alg.salg_family, AF_ALG);
    CHECK_STR((const char *)alg.salg_type, "hash");
    CHECK_STR((const char *)alg.salg_name, "sha256");
    CHECK_EQ(alg.salg_feat, 0x1234);
    CHECK_EQ(alg.salg_mask, 0xffffffff);
    CHECK_EQ(alg.salg_name[sizeof(alg.salg_name) - 1], 0);
    CHECK_EQ(csock_addr_get_alg(&sa, sizeof(alg), &type, &tl, &name, &nl,
                                &feat, &mask), 0);
    CHECK_EQ(tl, 4);
    CHECK(memcmp(type, "hash", 4) == 0);
    CHECK_EQ(nl, 6);
    CHECK(memcmp(name, "sha256", 6) == 0);
    CHECK_EQ(feat, 0x1234);
    CHECK_EQ(mask, 0xffffffff);

    /* The longest strings that still leave room for their NUL. */
    memset(longtype, 't', sizeof(longtype));
    memset(longname, 'n', sizeof(longname));
    longtype[sizeof(alg.salg_type) - 1] = '\0';
    longname[sizeof(alg.salg_name) - 1] = '\0';
    CHECK_EQ(csock_addr_alg(&sa, longtype, longname, 0, 0),
             sizeof(struct sockaddr_alg));
    longtype[sizeof(alg.salg_type) - 1] = 't';
    longtype[sizeof(alg.salg_type)] = '\0';
    CHECK_EQ(csock_addr_alg(&sa, longtype, "x", 0, 0), -EINVAL);
    longname[sizeof(alg.salg_name) - 1] = 'n';
    longname[sizeof(alg.salg_name)] = '\0';
    CHECK_EQ(csock_addr_alg(&sa, "hash", longname, 0, 0), -ENAMETOOLONG);
    /* The type is checked first. */
    CHECK_EQ(csock_addr_alg(&sa, longtype, longname, 0, 0), -EINVAL);

    /* Unterminated fields stop at the end of the field... */
    memset(&alg, 'a', sizeof(alg));
    alg.salg_family = AF_ALG;
    alg.salg_feat = 0;
    alg.salg_mask = 0;
    returned(&back, &alg, sizeof(alg));
    CHECK_EQ(csock_addr_get_alg(&back, sizeof(alg), &type, &tl, &name, &nl,
                                &feat, &mask), 0);
    CHECK_EQ(tl, sizeof(alg.salg_type));
    CHECK_EQ(nl, sizeof(alg.salg_name));
    /* ... or at the returned length. */
    CHECK_EQ(csock_addr_get_alg(&back, 30, &type, &tl, &name, &nl, &feat,
                                &mask), 0);
    CHECK_EQ(tl, sizeof(alg.salg_type));
    CHECK_EQ(nl, 30 - offsetof(struct sockaddr_alg, salg_name));
    CHECK_EQ(feat, 0);
    CHECK_EQ(csock_addr_get_alg(&back, 20, &type, &tl, &name, &nl, &feat,
                                &mask), 0);
    CHECK_EQ(nl, 0);
    CHECK_EQ(csock_addr_get_alg(&back, 5, &type, &tl, &name, &nl, &feat,
                                &mask), 0);
    CHECK_EQ(tl, 3);
    CHECK_EQ(csock_addr_get_alg(&back, 2, &type, &tl, &name, &nl, &feat,
                                &mask), 0);
    CHECK_EQ(tl, 0);
    back.sa.sa_family = AF_INET;
    CHECK_EQ(csock_addr_get_alg(&back, 88, &type, &tl, &name, &nl, &feat,
                                &mask), -EAFNOSUPPORT);
    CHECK_EQ(tl, 0);
    CHECK_STR(type, "");
}

static void
test_bdaddr_text(void)
{
    unsigned char b[6];
    char text[18];

    CHECK_EQ(csock_addr_bdaddr_parse("01:23:45:67:89:ab", b), 0);
    CHECK_EQ(b[0], 0x01);
    CHECK_EQ(b[5], 0xab);
    csock_addr_bdaddr_format(b, text);
    CHECK_STR(text, "01:23:45:67:89:AB");
    CHECK_EQ(csock_addr_bdaddr_parse("1:2:3:4:5:6", b), 0);
    CHECK_EQ(b[5], 6);
    csock_addr_bdaddr_format(b, text);
    CHECK_STR(text, "01:02:03:04:05:06");
    CHECK_EQ(csock_addr_bdaddr_parse("01:23:45:67:89", b), -EINVAL);
    CHECK_EQ(csock_addr_bdaddr_parse("01:23:45:67:89:ab:cd", b), -EINVAL);
    CHECK_EQ(csock_addr_bdaddr_parse("01:23:45:67:89:zz", b), -EINVAL);
    CHECK_EQ(csock_addr_bdaddr_parse("01:23:45:67:89:ab ", b), -EINVAL);
    CHECK_EQ(csock_addr_bdaddr_parse("123:45:67:89:ab:cd", b), -EINVAL);
    CHECK_EQ(csock_addr_bdaddr_parse("", b), -EINVAL);
}

static void
test_bluetooth(void)
{
    CHECK_EQ(csock_addr_size_proto(AF_INET, 6), sizeof(struct sockaddr_in));
    CHECK_EQ(csock_addr_size_proto(AF_CAN, 1), sizeof(struct sockaddr_can));
    CHECK_EQ(csock_addr_size_proto(44, 0), -EAFNOSUPPORT);
#ifdef HAVE_BLUEZ
    {
        csock_sockaddr sa;
        csock_bt_addr in, out;
        struct sockaddr_l2 l2;
        struct sockaddr_rc rc;
        struct sockaddr_hci hci;
        struct sockaddr_sco sco;
        const unsigned char addr[6] = {1, 2, 3, 4, 5, 6};

        CHECK_EQ(csock_addr_family_kind(AF_BLUETOOTH), CSOCK_FAM_BLUETOOTH);
        CHECK_EQ(csock_addr_bt_kind(BTPROTO_L2CAP), CSOCK_BT_L2CAP);
        CHECK_EQ(csock_addr_bt_kind(BTPROTO_RFCOMM), CSOCK_BT_RFCOMM);
        CHECK_EQ(csock_addr_bt_kind(BTPROTO_HCI), CSOCK_BT_HCI);
        CHECK_EQ(csock_addr_bt_kind(BTPROTO_SCO), CSOCK_BT_SCO);
        CHECK_EQ(csock_addr_bt_kind(99), -EPROTONOSUPPORT);
        CHECK_EQ(csock_addr_size_proto(AF_BLUETOOTH, BTPROTO_L2CAP),
                 sizeof(struct sockaddr_l2));
        CHECK_EQ(csock_addr_size_proto(AF_BLUETOOTH, BTPROTO_SCO),
                 sizeof(struct sockaddr_sco));
        CHECK_EQ(csock_addr_size_proto(AF_BLUETOOTH, 99), -EPROTONOSUPPORT);

        memset(&in, 0, sizeof(in));
        memcpy(in.bdaddr, addr, 6);
        in.psm = 0x1001;
        in.channel = 3;
        in.dev = 2;
        CHECK_EQ(csock_addr_bluetooth(&sa, CSOCK_BT_L2CAP, &in), sizeof(l2));
        memcpy(&l2, &sa, sizeof(l2));
        CHECK_EQ(l2.l2_family, AF_BLUETOOTH);
        CHECK_EQ(l2.l2_psm, 0x1001);
        CHECK_EQ(l2.l2_bdaddr.b[0], 6);     /* least significant first */
        CHECK_EQ(l2.l2_bdaddr.b[5], 1);
        CHECK_EQ(csock_addr_get_bluetooth(&sa, sizeof(l2), CSOCK_BT_L2CAP,
                                          &out), 0);
        CHECK(memcmp(out.bdaddr, addr, 6) == 0);
        CHECK_EQ(out.psm, 0x1001);

        CHECK_EQ(csock_addr_bluetooth(&sa, CSOCK_BT_RFCOMM, &in),
                 sizeof(rc));
        memcpy(&rc, &sa, sizeof(rc));
        CHECK_EQ(rc.rc_channel, 3);
        CHECK_EQ(csock_addr_get_bluetooth(&sa, sizeof(rc), CSOCK_BT_RFCOMM,
                                          &out), 0);
        CHECK_EQ(out.channel, 3);
        CHECK(memcmp(out.bdaddr, addr, 6) == 0);

        CHECK_EQ(csock_addr_bluetooth(&sa, CSOCK_BT_HCI, &in), sizeof(hci));
        memcpy(&hci, &sa, sizeof(hci));
        CHECK_EQ(hci.hci_dev, 2);
        CHECK_EQ(hci.hci_channel, 0);
        CHECK_EQ(csock_addr_get_bluetooth(&sa, sizeof(hci), CSOCK_BT_HCI,
                                          &out), 0);
        CHECK_EQ(out.dev, 2);

        CHECK_EQ(csock_addr_bluetooth(&sa, CSOCK_BT_SCO, &in), sizeof(sco));
        /* Only the family and 2 bytes of the address came back. */
        memset((char *)&sa + 4, 0xA5, sizeof(sa) - 4);
        CHECK_EQ(csock_addr_get_bluetooth(&sa, 4, CSOCK_BT_SCO, &out), 0);
        CHECK_EQ(out.bdaddr[5], 6);
        CHECK_EQ(out.bdaddr[4], 5);
        CHECK_EQ(out.bdaddr[0], 0);
        CHECK_EQ(csock_addr_bluetooth(&sa, 42, &in), -EAFNOSUPPORT);
        sa.sa.sa_family = AF_INET;
        CHECK_EQ(csock_addr_get_bluetooth(&sa, 16, CSOCK_BT_SCO, &out),
                 -EAFNOSUPPORT);
    }
#else
    CHECK_EQ(csock_addr_bt_kind(0), -EPROTONOSUPPORT);
    CHECK_EQ(csock_addr_family_kind(31), CSOCK_FAM_UNKNOWN);
#endif
}

int
main(void)
{
    CTEST_RUN(test_kinds_and_sizes);
    CTEST_RUN(test_pairs);
    CTEST_RUN(test_interfaces);
    CTEST_RUN(test_packet);
    CTEST_RUN(test_can);
    CTEST_RUN(test_tipc);
    CTEST_RUN(test_alg);
    CTEST_RUN(test_bdaddr_text);
    CTEST_RUN(test_bluetooth);
    return ctest_summary("test_families");
}

#else /* !__linux__ */

/* Elsewhere the families are absent: every call says so. */
int
main(void)
{
    csock_sockaddr sa;
    uint32_t a, b;

    CHECK_EQ(csock_addr_family_kind(16), CSOCK_FAM_UNKNOWN);
    CHECK_EQ(csock_addr_pair(&sa, 16, 1, 2), -EAFNOSUPPORT);
    memset(&sa, 0, sizeof(sa));
    CHECK_EQ(csock_addr_get_pair(&sa, 0, &a, &b), -EAFNOSUPPORT);
    return ctest_summary("test_families");
}

#endif
