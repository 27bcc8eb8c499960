/* Socket address packing and unpacking, without Python.
 * Owned by the "addresses" work; see src/core/addr.c.
 *
 * Everything here works on csock_sockaddr (csock.h), a buffer large enough
 * for any address, so that no helper can write past the end of the
 * caller's storage whatever lengths it is handed.  Return 0 (or a length)
 * on success and -errno on failure, unless stated otherwise:
 * csock_addr_resolve() is a resolver call and returns EAI_* codes. */
#ifndef CSOCK_ADDR_H
#define CSOCK_ADDR_H

/* Largest port and IPv6 flow label (20 bits) a socket address can hold. */
#define CSOCK_PORT_MAX 65535
#define CSOCK_FLOWINFO_MAX 0xfffffUL

/* What csock_addr_unix_name() found in an AF_UNIX address. */
enum {
    CSOCK_UNIX_UNNAMED = 0,  /* no name: unbound socket, socketpair end */
    CSOCK_UNIX_PATH = 1,     /* a filesystem path (no NUL included) */
    CSOCK_UNIX_ABSTRACT = 2  /* Linux abstract name, leading NUL included */
};

/* The size of the address structure of family (the buffer length that
 * getsockname(2) and friends need for it), or -EAFNOSUPPORT for a family
 * the core does not know (the families of csock_addr_family_kind()). */
int csock_addr_size(int family);

/* Copy an address of salen bytes, as returned by the kernel, into *out;
 * the rest of *out is zeroed, and salen is clamped to sizeof(*out) (the
 * kernel reports the full length even when it truncated).  Returns the
 * number of bytes copied. */
socklen_t csock_addr_copy(csock_sockaddr *out, const struct sockaddr *sa,
                          socklen_t salen);

/* Fill *out with an AF_INET address: addr is 4 bytes in network order,
 * port in host order.  Returns the address length. */
socklen_t csock_addr_in4(csock_sockaddr *out, const void *addr,
                         uint16_t port);

/* Fill *out with an AF_INET6 address: addr is 16 bytes in network order;
 * port, flowinfo and scope_id in host order.  Returns the address length,
 * or -ERANGE when flowinfo does not fit the 20-bit flow label. */
int csock_addr_in6(csock_sockaddr *out, const void *addr, uint16_t port,
                   uint32_t flowinfo, uint32_t scope_id);

/* Range checks for values that come from users: return 0 or -ERANGE. */
int csock_addr_check_port(long port);
int csock_addr_check_flowinfo(unsigned long flowinfo);

/* Set the port (host order) of an AF_INET or AF_INET6 address in place.
 * Returns 0 or -EAFNOSUPPORT. */
int csock_addr_set_port(csock_sockaddr *sa, uint16_t port);

/* Set the flow label and scope id (host order) of an AF_INET6 address in
 * place.  Returns 0, -EAFNOSUPPORT, or -ERANGE (flowinfo too large). */
int csock_addr_set_in6_extra(csock_sockaddr *sa, uint32_t flowinfo,
                             uint32_t scope_id);

/* Read back the fields of an AF_INET/AF_INET6 address, host order; any
 * out pointer may be NULL (flowinfo/scope_id are 0 for AF_INET).
 * Returns 0 or -EAFNOSUPPORT. */
int csock_addr_get_inet(const csock_sockaddr *sa, uint16_t *port,
                        uint32_t *flowinfo, uint32_t *scope_id);

/* The numeric host of an AF_INET/AF_INET6 address as text ("127.0.0.1",
 * "::1"), without any "%scope" suffix: the scope id is a field of its
 * own.  Returns the text length, -EAFNOSUPPORT, or -ENOSPC when buf is
 * too small (64 bytes are always enough). */
int csock_addr_ntop(const csock_sockaddr *sa, char *buf, size_t size);

/* Build an AF_UNIX address from len bytes of path (not NUL-terminated;
 * NUL bytes inside are copied as they are).  On Linux a path whose first
 * byte is NUL is an abstract name: the address length is then exactly
 * offsetof(sun_path) + len and the name may fill all of sun_path.  A
 * filesystem path must leave room for a terminating NUL, which *out
 * always has after it.  len == 0 gives the bare family (Linux autobinds
 * such an address).  Stores the address length in *outlen.  Returns 0 or
 * -ENAMETOOLONG. */
int csock_addr_unix(csock_sockaddr *out, const void *path, size_t len,
                    socklen_t *outlen);

/* Where the name of a returned AF_UNIX address of salen bytes is: the
 * name is sa->un.sun_path[0 .. *namelen).  For a filesystem path that is
 * up to (not including) the first NUL; for an abstract name it is every
 * byte the length covers.  Returns one of CSOCK_UNIX_* (*namelen is 0
 * for CSOCK_UNIX_UNNAMED), or -EAFNOSUPPORT for another family. */
int csock_addr_unix_name(const csock_sockaddr *sa, socklen_t salen,
                         size_t *namelen);

/* The host forms that need no resolver, for address family af (AF_INET,
 * AF_INET6 or AF_UNSPEC): "<broadcast>" and "255.255.255.255" (IPv4
 * broadcast), strict dotted-quad IPv4 and IPv6 text (inet_pton).  The
 * empty name is not handled here (it is the resolver's passive
 * wildcard).  Returns 1 with *out / *outlen filled, 0 when the name needs
 * the resolver, or -EAFNOSUPPORT when it names a broadcast address but af
 * cannot hold one. */
int csock_addr_numeric_host(const char *name, int af, csock_sockaddr *out,
                            socklen_t *outlen);

/* getaddrinfo(3) for a socket address: the first result for name in
 * family af (AF_INET, AF_INET6 or AF_UNSPEC) is copied to *out and its
 * length to *outlen.  name NULL or "" asks for the wildcard address of a
 * passive socket; *more is then set to 1 when there are several (e.g.
 * "0.0.0.0" and "::" for AF_UNSPEC), else 0.  Blocks: call without locks
 * held.  Returns 0 or an EAI_* code; for EAI_SYSTEM *sys_errno holds
 * errno (0 otherwise). */
int csock_addr_resolve(const char *name, int af, csock_sockaddr *out,
                       socklen_t *outlen, int *more, int *sys_errno);

/* ---- The other families (src/core/addr_families.c) ----
 *
 * Linux's families, each compiled in only where its header exists; on
 * other systems every function below still exists and reports
 * -EAFNOSUPPORT (or CSOCK_FAM_UNKNOWN), so that callers need no #ifdef.
 * Integer fields are in host order and have the width of the kernel's
 * field: callers that accept wider values truncate them first, as the
 * stdlib does. */

/* The address layout a family uses, for dispatching without the
 * platform's AF_* macros. */
enum {
    CSOCK_FAM_UNKNOWN = 0,  /* nothing the core can pack or unpack */
    CSOCK_FAM_INET,
    CSOCK_FAM_INET6,
    CSOCK_FAM_UNIX,
    CSOCK_FAM_NETLINK,      /* (pid, groups) */
    CSOCK_FAM_PACKET,       /* struct sockaddr_ll */
    CSOCK_FAM_CAN,          /* struct sockaddr_can, by CAN protocol */
    CSOCK_FAM_TIPC,         /* struct sockaddr_tipc */
    CSOCK_FAM_ALG,          /* struct sockaddr_alg */
    CSOCK_FAM_VSOCK,        /* (cid, port) */
    CSOCK_FAM_RDS,          /* a struct sockaddr_in, family AF_INET */
    CSOCK_FAM_QIPCRTR,      /* (node, port) */
    CSOCK_FAM_BLUETOOTH     /* BlueZ's structures, by protocol */
};

/* The CSOCK_FAM_* of family. */
int csock_addr_family_kind(int family);

/* csock_addr_size() for the families of this part (internal). */
int csock__addr_family_size(int family);

/* The address size for a socket of family and proto: csock_addr_size(),
 * except for AF_BLUETOOTH, whose structure depends on the protocol
 * (-EPROTONOSUPPORT for a Bluetooth protocol without one here). */
int csock_addr_size_proto(int family, int proto);

/* The pair families (netlink, vsock, qipcrtr): (pid, groups),
 * (cid, port), (node, port).  Returns the address length or
 * -EAFNOSUPPORT for another family. */
int csock_addr_pair(csock_sockaddr *out, int family, uint32_t a,
                    uint32_t b);

/* The two numbers of a pair-family address of salen bytes; bytes the
 * length does not cover read as zero.  Returns 0 or -EAFNOSUPPORT. */
int csock_addr_get_pair(const csock_sockaddr *sa, socklen_t salen,
                        uint32_t *a, uint32_t *b);

/* Interface names as the kernel limits them (IFNAMSIZ, NUL included). */
#define CSOCK_IFNAMSIZ 16

/* The index of the network interface called name (a C string shorter
 * than CSOCK_IFNAMSIZ), or -errno (-ENODEV when there is none). */
int csock_addr_ifindex(const char *name);

/* The name of interface ifindex into buf (at least CSOCK_IFNAMSIZ
 * bytes).  Returns 0, or -errno with buf set to "" (index 0 and unknown
 * indexes included). */
int csock_addr_ifname(int ifindex, char *buf, size_t size);

/* AF_PACKET (struct sockaddr_ll).  addr points at halen bytes: the
 * caller's for csock_addr_packet(), inside *sa for
 * csock_addr_get_packet(). */
#define CSOCK_PACKET_HALEN_MAX 8
typedef struct {
    int ifindex;
    uint16_t protocol;          /* host order (an ETH_P_* value) */
    uint8_t pkttype;
    uint16_t hatype;
    size_t halen;
    const unsigned char *addr;
} csock_packet_addr;

/* Returns the address length, -EMSGSIZE when halen exceeds
 * CSOCK_PACKET_HALEN_MAX, or -EAFNOSUPPORT. */
int csock_addr_packet(csock_sockaddr *out, const csock_packet_addr *in);

/* The fields of an AF_PACKET address of salen bytes.  The hardware
 * address is sll_halen bytes, but never more than the returned length
 * covers (a kernel address may be longer than the structure's 8 bytes:
 * sa has room for it).  Returns 0 or -EAFNOSUPPORT. */
int csock_addr_get_packet(const csock_sockaddr *sa, socklen_t salen,
                          csock_packet_addr *out);

/* AF_CAN: the address form depends on the socket's protocol. */
enum {
    CSOCK_CAN_PLAIN = 1,    /* CAN_RAW, CAN_BCM: (interface,) */
    CSOCK_CAN_ISOTP = 2,    /* CAN_ISOTP: (interface, rx_id, tx_id) */
    CSOCK_CAN_J1939 = 3     /* CAN_J1939: (interface, name, pgn, addr) */
};

/* The CSOCK_CAN_* form of CAN protocol proto for parsing, or
 * -EPROTONOSUPPORT for one without an address form here. */
int csock_addr_can_kind(int proto);

typedef struct {
    int ifindex;
    uint32_t rx_id, tx_id;      /* ISO-TP */
    uint64_t name;              /* J1939 */
    uint32_t pgn;
    uint8_t addr;
} csock_can_addr;

/* Build an AF_CAN address of form kind (CSOCK_CAN_*): the fields the
 * form does not use are zero.  Returns the address length or
 * -EAFNOSUPPORT (CAN, or that form, not compiled in). */
int csock_addr_can(csock_sockaddr *out, int kind, const csock_can_addr *in);

/* Every field of an AF_CAN address of salen bytes (the caller picks
 * the ones of its form).  Returns 0 or -EAFNOSUPPORT. */
int csock_addr_get_can(const csock_sockaddr *sa, socklen_t salen,
                       csock_can_addr *out);

/* AF_TIPC.  addrtype 1 (TIPC_ADDR_NAMESEQ): v1..v3 are type, lower,
 * upper; 2 (TIPC_ADDR_NAME): type, instance (v3 unused on packing, the
 * instance again on unpacking); 3 (TIPC_ADDR_ID): node, ref (v3 0).
 * scope is the kernel's signed char. */
/* The scope of a TIPC address that names none: TIPC_CLUSTER_SCOPE. */
#define CSOCK_TIPC_CLUSTER_SCOPE 2

typedef struct {
    unsigned int addrtype;
    uint32_t v1, v2, v3;
    signed char scope;
} csock_tipc_addr;

/* Returns the address length, -EINVAL for another addrtype, or
 * -EAFNOSUPPORT. */
int csock_addr_tipc(csock_sockaddr *out, const csock_tipc_addr *in);

/* Returns 0, -EINVAL for an address type other than the three, or
 * -EAFNOSUPPORT. */
int csock_addr_get_tipc(const csock_sockaddr *sa, socklen_t salen,
                        csock_tipc_addr *out);

/* AF_ALG: type and name are C strings that must fit their fixed fields
 * with a terminating NUL.  Returns the address length, -EINVAL when the
 * type is too long, -ENAMETOOLONG when the name is, or -EAFNOSUPPORT. */
int csock_addr_alg(csock_sockaddr *out, const char *type, const char *name,
                   uint32_t feat, uint32_t mask);

/* The fields of an AF_ALG address of salen bytes: type and name point
 * into *sa, with lengths that stop at the first NUL or the end of the
 * field (the kernel does not promise a NUL).  Returns 0 or
 * -EAFNOSUPPORT. */
int csock_addr_get_alg(const csock_sockaddr *sa, socklen_t salen,
                       const char **type, size_t *typelen,
                       const char **name, size_t *namelen, uint32_t *feat,
                       uint32_t *mask);

/* AF_BLUETOOTH (BlueZ), compiled in only where <bluetooth/bluetooth.h>
 * exists.  A device address is 6 bytes, kept here in the order of its
 * text ("01:23:45:67:89:AB" is {0x01, ... 0xAB}); the kernel's bdaddr_t
 * holds them the other way round, which the core takes care of. */
enum {
    CSOCK_BT_L2CAP = 1,     /* (bdaddr, psm) */
    CSOCK_BT_RFCOMM = 2,    /* (bdaddr, channel) */
    CSOCK_BT_HCI = 3,       /* (device_id,) in, device_id out */
    CSOCK_BT_SCO = 4        /* bdaddr */
};

/* The CSOCK_BT_* form of Bluetooth protocol proto, or -EPROTONOSUPPORT
 * (also when Bluetooth is not compiled in). */
int csock_addr_bt_kind(int proto);

typedef struct {
    unsigned char bdaddr[6];
    uint16_t psm;           /* L2CAP */
    uint8_t channel;        /* RFCOMM */
    uint16_t dev;           /* HCI */
} csock_bt_addr;

/* Parse "XX:XX:XX:XX:XX:XX" (six hexadecimal fields of one or two
 * digits, as sscanf's %2x reads them, nothing after).  Returns 0 or
 * -EINVAL. */
int csock_addr_bdaddr_parse(const char *text, unsigned char out[6]);

/* Format a device address as "XX:XX:XX:XX:XX:XX" (upper case) into buf,
 * which has room for 18 bytes. */
void csock_addr_bdaddr_format(const unsigned char in[6], char buf[18]);

/* Returns the address length or -EAFNOSUPPORT. */
int csock_addr_bluetooth(csock_sockaddr *out, int kind,
                         const csock_bt_addr *in);

/* The fields of a returned address of form kind.  Returns 0 or
 * -EAFNOSUPPORT. */
int csock_addr_get_bluetooth(const csock_sockaddr *sa, socklen_t salen,
                             int kind, csock_bt_addr *out);

#endif
