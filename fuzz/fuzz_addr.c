/* fuzz_addr.c - libFuzzer harness for socket address packing and
 * unpacking (include/csock/addr.h, src/core/addr*.c).
 *
 * The first byte picks what to exercise, the next two give a length, the
 * rest is raw material.  Unpackers get a kernel-style address of any
 * length and content (the kernel's salen may be anything up to and past
 * the structure); packers get arbitrary names and values.  Every result
 * is checked against the contract in addr.h (lengths within the buffer,
 * names within the address), and ASan/UBSan watch every access. */
#include "csock.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) { abort(); } } while (0)

static void
unpack_all(const csock_sockaddr *sa, socklen_t salen)
{
    char buf[64];
    size_t namelen = 0;
    uint16_t port;
    uint32_t flow, scope, a, b;
    csock_packet_addr pk;
    csock_can_addr can;
    csock_tipc_addr tipc;
    csock_bt_addr bt;
    const char *type, *name;
    size_t typelen, alglen;
    uint32_t feat, mask;
    int kind, r;

    r = csock_addr_unix_name(sa, salen, &namelen);
    if (r >= 0) {
        CHECK(namelen <= sizeof(sa->un.sun_path));
        CHECK(namelen == 0 || offsetof(struct sockaddr_un, sun_path)
              + namelen <= (size_t)salen);
    }
    csock_addr_get_inet(sa, &port, &flow, &scope);
    r = csock_addr_ntop(sa, buf, sizeof(buf));
    CHECK(r < 0 || (size_t)r < sizeof(buf));
    r = csock_addr_ntop(sa, buf, 3);
    CHECK(r < 0 || r < 3);
    csock_addr_get_pair(sa, salen, &a, &b);
    if (csock_addr_get_packet(sa, salen, &pk) == 0 && pk.halen > 0) {
        const unsigned char *end = (const unsigned char *)sa + sizeof(*sa);

        CHECK(pk.addr >= (const unsigned char *)sa &&
              pk.addr + pk.halen <= end);
        CHECK(pk.addr + pk.halen <= (const unsigned char *)sa + salen);
    }
    csock_addr_get_can(sa, salen, &can);
    csock_addr_get_tipc(sa, salen, &tipc);
    if (csock_addr_get_alg(sa, salen, &type, &typelen, &name, &alglen,
                           &feat, &mask) == 0) {
        const char *end = (const char *)sa + sizeof(*sa);

        CHECK(type + typelen <= end && name + alglen <= end);
        CHECK(memchr(type, '\0', typelen) == NULL);
        CHECK(memchr(name, '\0', alglen) == NULL);
    }
    for (kind = CSOCK_BT_L2CAP; kind <= CSOCK_BT_SCO; kind++) {
        csock_addr_get_bluetooth(sa, salen, kind, &bt);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csock_sockaddr sa, out;
    socklen_t salen, outlen;
    size_t len;
    uint8_t op;
    int r;

    if (size < 3) {
        return 0;
    }
    op = data[0];
    len = (size_t)data[1] | ((size_t)data[2] << 8);
    data += 3;
    size -= 3;

    switch (op % 6) {
    case 0: {
        /* A received address: any family, any length. */
        salen = csock_addr_copy(&sa, (const struct sockaddr *)data,
                                (socklen_t)(len < size ? len : size));
        CHECK(salen <= sizeof(sa));
        if (len > size) {
            salen = (socklen_t)len;     /* the kernel says more */
            salen = salen > sizeof(sa) ? (socklen_t)sizeof(sa) : salen;
        }
        unpack_all(&sa, salen);
        break;
    }
    case 1: {
        /* An AF_UNIX name of any bytes, then read it back. */
        char *path = malloc(size ? size : 1);
        size_t namelen;

        CHECK(path != NULL);
        memcpy(path, data, size);
        r = csock_addr_unix(&out, path, size, &outlen);
        if (r == 0) {
            CHECK(outlen <= sizeof(out.un));
            r = csock_addr_unix_name(&out, outlen, &namelen);
            CHECK(r >= 0);
            if (size > 0 && path[0] == '\0') {
                CHECK(r == CSOCK_UNIX_ABSTRACT && namelen == size &&
                      memcmp(out.un.sun_path, path, size) == 0);
            }
            else if (size > 0 && memchr(path, '\0', size) == NULL) {
                CHECK(r == CSOCK_UNIX_PATH && namelen == size &&
                      memcmp(out.un.sun_path, path, size) == 0);
            }
        }
        else {
            CHECK(r == -ENAMETOOLONG);
        }
        free(path);
        break;
    }
    case 2: {
        /* A host name that may need no resolver. */
        char *name = malloc(size + 1);
        static const int afs[] = {AF_INET, AF_INET6, AF_UNSPEC};

        CHECK(name != NULL);
        memcpy(name, data, size);
        name[size] = '\0';
        r = csock_addr_numeric_host(name, afs[len % 3], &out, &outlen);
        CHECK(r == 0 || r == 1 || r == -EAFNOSUPPORT);
        if (r == 1) {
            char buf[64];

            CHECK(outlen <= sizeof(out));
            CHECK(csock_addr_ntop(&out, buf, sizeof(buf)) > 0);
        }
        free(name);
        break;
    }
    case 3: {
        /* Packers with arbitrary values, then unpack what they made. */
        uint32_t v[6] = {0};
        csock_packet_addr pk;
        csock_can_addr can;
        csock_tipc_addr tipc;
        static const int fams[] = {AF_NETLINK, AF_VSOCK, 42, AF_INET};

        memcpy(v, data, size < sizeof(v) ? size : sizeof(v));
        r = csock_addr_pair(&out, fams[len % 4], v[0], v[1]);
        if (r >= 0) {
            unpack_all(&out, (socklen_t)r);
        }
        memset(&pk, 0, sizeof(pk));
        pk.ifindex = (int)v[0];
        pk.protocol = (uint16_t)v[1];
        pk.pkttype = (uint8_t)v[2];
        pk.hatype = (uint16_t)(v[2] >> 8);
        pk.halen = len % 32;
        pk.addr = (const unsigned char *)v;     /* 24 bytes */
        if (pk.halen > sizeof(v)) {
            pk.halen = sizeof(v);
        }
        r = csock_addr_packet(&out, &pk);
        CHECK(r >= 0 || r == -EMSGSIZE || r == -EAFNOSUPPORT);
        if (r >= 0) {
            unpack_all(&out, (socklen_t)r);
        }
        memset(&can, 0, sizeof(can));
        can.ifindex = (int)v[0];
        can.rx_id = v[1];
        can.tx_id = v[2];
        can.name = ((uint64_t)v[3] << 32) | v[4];
        can.pgn = v[5];
        can.addr = (uint8_t)len;
        r = csock_addr_can(&out, 1 + (int)(len % 3), &can);
        if (r >= 0) {
            unpack_all(&out, (socklen_t)r);
        }
        memset(&tipc, 0, sizeof(tipc));
        tipc.addrtype = v[0] % 5;
        tipc.v1 = v[1];
        tipc.v2 = v[2];
        tipc.v3 = v[3];
        tipc.scope = (signed char)v[4];
        r = csock_addr_tipc(&out, &tipc);
        CHECK(r >= 0 || r == -EINVAL || r == -EAFNOSUPPORT);
        if (r >= 0) {
            unpack_all(&out, (socklen_t)r);
        }
        break;
    }
    case 4: {
        /* AF_ALG type and name: two C strings split at len. */
        char *buf = malloc(size + 2);
        size_t cut = size ? len % (size + 1) : 0;

        CHECK(buf != NULL);
        memcpy(buf, data, cut);
        buf[cut] = '\0';
        memcpy(buf + cut + 1, data + cut, size - cut);
        buf[size + 1] = '\0';
        r = csock_addr_alg(&out, buf, buf + cut + 1, (uint32_t)len,
                           (uint32_t)size);
        CHECK(r >= 0 || r == -EINVAL || r == -ENAMETOOLONG ||
              r == -EAFNOSUPPORT);
        if (r >= 0) {
            unpack_all(&out, (socklen_t)r);
        }
        free(buf);
        break;
    }
    default: {
        /* Bluetooth device address text: parse, format, parse again. */
        char *text = malloc(size + 1);
        unsigned char b1[6], b2[6];
        char fmt[18];

        CHECK(text != NULL);
        memcpy(text, data, size);
        text[size] = '\0';
        if (csock_addr_bdaddr_parse(text, b1) == 0) {
            csock_addr_bdaddr_format(b1, fmt);
            CHECK(strlen(fmt) == 17);
            CHECK(csock_addr_bdaddr_parse(fmt, b2) == 0);
            CHECK(memcmp(b1, b2, 6) == 0);
        }
        free(text);
        break;
    }
    }
    return 0;
}
