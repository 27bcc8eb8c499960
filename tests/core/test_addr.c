/* test_addr.c - socket address packing and unpacking (src/core/addr.c).
 *
 *   gcc -Wall -Wextra -Iinclude tests/core/test_addr.c src/core/addr.c \
 *       -o /tmp/test_addr && /tmp/test_addr
 *
 * Only test_resolve_localhost and the bound-socket tests touch the system
 * (loopback and the resolver's view of "localhost"); the rest is pure. */
#include "csock.h"
#include "ctest.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <unistd.h>

#define UN_OFF offsetof(struct sockaddr_un, sun_path)
#define UN_CAP sizeof(((struct sockaddr_un *)0)->sun_path)

static void
test_sizes(void)
{
    CHECK_EQ(csock_addr_size(AF_INET), sizeof(struct sockaddr_in));
    CHECK_EQ(csock_addr_size(AF_INET6), sizeof(struct sockaddr_in6));
    CHECK_EQ(csock_addr_size(AF_UNIX), sizeof(struct sockaddr_un));
    CHECK_EQ(csock_addr_size(12345), -EAFNOSUPPORT);
    CHECK(sizeof(csock_sockaddr) >= sizeof(struct sockaddr_un));
}

static void
test_in4_roundtrip(void)
{
    csock_sockaddr sa;
    unsigned char ip[4] = {127, 0, 0, 1};
    char text[64];
    uint16_t port;
    uint32_t flow = 99, scope = 99;

    CHECK_EQ(csock_addr_in4(&sa, ip, 8080), sizeof(struct sockaddr_in));
    CHECK_EQ(sa.sa.sa_family, AF_INET);
    CHECK_EQ(sa.in4.sin_port, htons(8080));
    CHECK_EQ(sa.in4.sin_addr.s_addr, htonl(0x7f000001));
    CHECK_EQ(csock_addr_ntop(&sa, text, sizeof(text)), 9);
    CHECK_STR(text, "127.0.0.1");
    CHECK_EQ(csock_addr_get_inet(&sa, &port, &flow, &scope), 0);
    CHECK_EQ(port, 8080);
    CHECK_EQ(flow, 0);
    CHECK_EQ(scope, 0);
    CHECK_EQ(csock_addr_set_port(&sa, 65535), 0);
    CHECK_EQ(csock_addr_get_inet(&sa, &port, NULL, NULL), 0);
    CHECK_EQ(port, 65535);
    /* An AF_INET address has no flow label or scope to set. */
    CHECK_EQ(csock_addr_set_in6_extra(&sa, 1, 1), -EAFNOSUPPORT);
    /* Too small a buffer is an error, never an overflow. */
    CHECK_EQ(csock_addr_ntop(&sa, text, 4), -ENOSPC);
    CHECK_EQ(csock_addr_ntop(&sa, text, 0), -ENOSPC);
}

static void
test_in6_roundtrip(void)
{
    csock_sockaddr sa;
    struct in6_addr ip;
    char text[64];
    uint16_t port;
    uint32_t flow, scope;

    CHECK_EQ(inet_pton(AF_INET6, "fe80::1", &ip), 1);
    CHECK_EQ(csock_addr_in6(&sa, &ip, 443, 0xfffff, 7),
             sizeof(struct sockaddr_in6));
    CHECK_EQ(sa.sa.sa_family, AF_INET6);
    CHECK_EQ(sa.in6.sin6_flowinfo, htonl(0xfffff));
    CHECK_EQ(sa.in6.sin6_scope_id, 7);
    /* The text form never carries the scope: it is a field of its own. */
    CHECK_EQ(csock_addr_ntop(&sa, text, sizeof(text)), 7);
    CHECK_STR(text, "fe80::1");
    CHECK_EQ(csock_addr_get_inet(&sa, &port, &flow, &scope), 0);
    CHECK_EQ(port, 443);
    CHECK_EQ(flow, 0xfffff);
    CHECK_EQ(scope, 7);
    CHECK_EQ(csock_addr_set_in6_extra(&sa, 0x100000, 1), -ERANGE);
    CHECK_EQ(csock_addr_set_in6_extra(&sa, 5, 0xffffffffu), 0);
    CHECK_EQ(csock_addr_get_inet(&sa, NULL, &flow, &scope), 0);
    CHECK_EQ(flow, 5);
    CHECK_EQ(scope, 0xffffffffu);
    CHECK_EQ(csock_addr_in6(&sa, &ip, 0, 0x100000, 0), -ERANGE);
    CHECK_EQ(csock_addr_in6(&sa, &ip, 0, 0xffffffffu, 0), -ERANGE);
}

static void
test_ranges(void)
{
    CHECK_EQ(csock_addr_check_port(0), 0);
    CHECK_EQ(csock_addr_check_port(65535), 0);
    CHECK_EQ(csock_addr_check_port(65536), -ERANGE);
    CHECK_EQ(csock_addr_check_port(-1), -ERANGE);
    CHECK_EQ(csock_addr_check_port(-65536), -ERANGE);
    CHECK_EQ(csock_addr_check_flowinfo(0), 0);
    CHECK_EQ(csock_addr_check_flowinfo(1048575), 0);
    CHECK_EQ(csock_addr_check_flowinfo(1048576), -ERANGE);
    CHECK_EQ(csock_addr_check_flowinfo((unsigned long)-1), -ERANGE);
}

static void
test_other_family(void)
{
    csock_sockaddr sa;
    char text[64];
    size_t n = 123;

    memset(&sa, 0, sizeof(sa));
    sa.sa.sa_family = AF_UNIX;
    CHECK_EQ(csock_addr_set_port(&sa, 1), -EAFNOSUPPORT);
    CHECK_EQ(csock_addr_get_inet(&sa, NULL, NULL, NULL), -EAFNOSUPPORT);
    CHECK_EQ(csock_addr_ntop(&sa, text, sizeof(text)), -EAFNOSUPPORT);
    sa.sa.sa_family = AF_INET;
    CHECK_EQ(csock_addr_unix_name(&sa, sizeof(sa), &n), -EAFNOSUPPORT);
    CHECK_EQ(n, 0);
}

static void
test_copy_clamps(void)
{
    csock_sockaddr sa, big;

    memset(&big, 0xab, sizeof(big));
    /* A kernel-reported length larger than the buffer is clamped. */
    CHECK_EQ(csock_addr_copy(&sa, &big.sa, 100000), sizeof(sa));
    CHECK_EQ(memcmp(&sa, &big, sizeof(sa)), 0);
    /* A short copy zero-fills the rest. */
    CHECK_EQ(csock_addr_copy(&sa, &big.sa, 3), 3);
    CHECK_EQ(((unsigned char *)&sa)[2], 0xab);
    CHECK_EQ(((unsigned char *)&sa)[3], 0);
    CHECK_EQ(((unsigned char *)&sa)[sizeof(sa) - 1], 0);
    CHECK_EQ(csock_addr_copy(&sa, NULL, 0), 0);
}

static void
test_unix_path(void)
{
    csock_sockaddr sa;
    socklen_t len = 0;
    size_t n;
    char path[UN_CAP + 2];

    CHECK_EQ(csock_addr_unix(&sa, "/tmp/x", 6, &len), 0);
    CHECK_EQ(sa.sa.sa_family, AF_UNIX);
    CHECK_EQ(len, UN_OFF + 6);
    CHECK_STR(sa.un.sun_path, "/tmp/x");
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_PATH);
    CHECK_EQ(n, 6);
    /* Linux reports the length with the NUL counted: same name. */
    CHECK_EQ(csock_addr_unix_name(&sa, len + 1, &n), CSOCK_UNIX_PATH);
    CHECK_EQ(n, 6);

    /* The longest path leaves one byte for the NUL. */
    memset(path, 'p', sizeof(path));
    CHECK_EQ(csock_addr_unix(&sa, path, UN_CAP - 1, &len), 0);
    CHECK_EQ(len, UN_OFF + UN_CAP - 1);
    CHECK_EQ(sa.un.sun_path[UN_CAP - 1], '\0');
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_PATH);
    CHECK_EQ(n, UN_CAP - 1);
    CHECK_EQ(csock_addr_unix(&sa, path, UN_CAP, &len), -ENAMETOOLONG);
    CHECK_EQ(csock_addr_unix(&sa, path, UN_CAP + 1, &len), -ENAMETOOLONG);
    CHECK_EQ(csock_addr_unix(&sa, path, (size_t)-1, &len), -ENAMETOOLONG);
    /* A NUL inside counts towards the length, as given. */
    path[1] = '\0';
    CHECK_EQ(csock_addr_unix(&sa, path, UN_CAP, &len), -ENAMETOOLONG);
    CHECK_EQ(csock_addr_unix(&sa, path, 10, &len), 0);
    CHECK_EQ(len, UN_OFF + 10);
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_PATH);
    CHECK_EQ(n, 1);
}

static void
test_unix_unnamed(void)
{
    csock_sockaddr sa;
    socklen_t len = 99;
    size_t n = 99;

    /* An empty path is the bare family: Linux autobinds it. */
    CHECK_EQ(csock_addr_unix(&sa, "", 0, &len), 0);
    CHECK_EQ(len, UN_OFF);
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_UNNAMED);
    CHECK_EQ(n, 0);
    CHECK_EQ(csock_addr_unix_name(&sa, 0, &n), CSOCK_UNIX_UNNAMED);
    /* A family-only length below the offset (or 0) is still unnamed. */
    CHECK_EQ(csock_addr_unix_name(&sa, 1, &n), CSOCK_UNIX_UNNAMED);
}

static void
test_unix_abstract(void)
{
    csock_sockaddr sa;
    socklen_t len;
    size_t n;
    char name[UN_CAP + 1];

    memset(name, 'a', sizeof(name));
    name[0] = '\0';
#ifdef __linux__
    CHECK_EQ(csock_addr_unix(&sa, "\0ab\0c", 5, &len), 0);
    CHECK_EQ(len, UN_OFF + 5);
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_ABSTRACT);
    CHECK_EQ(n, 5);
    CHECK_EQ(memcmp(sa.un.sun_path, "\0ab\0c", 5), 0);
    /* Just the NUL is a valid one-byte abstract name. */
    CHECK_EQ(csock_addr_unix(&sa, "", 1, &len), 0);
    CHECK_EQ(len, UN_OFF + 1);
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_ABSTRACT);
    CHECK_EQ(n, 1);
    /* An abstract name may fill sun_path entirely, no more. */
    CHECK_EQ(csock_addr_unix(&sa, name, UN_CAP, &len), 0);
    CHECK_EQ(len, sizeof(struct sockaddr_un));
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_ABSTRACT);
    CHECK_EQ(n, UN_CAP);
    /* Lengths past the structure are clamped. */
    CHECK_EQ(csock_addr_unix_name(&sa, len + 50, &n), CSOCK_UNIX_ABSTRACT);
    CHECK_EQ(n, UN_CAP);
    CHECK_EQ(csock_addr_unix(&sa, name, UN_CAP + 1, &len), -ENAMETOOLONG);
#else
    /* Elsewhere a leading NUL is an empty path, with the path's limit. */
    CHECK_EQ(csock_addr_unix(&sa, name, UN_CAP, &len), -ENAMETOOLONG);
    CHECK_EQ(csock_addr_unix(&sa, name, 3, &len), 0);
    CHECK_EQ(csock_addr_unix_name(&sa, len, &n), CSOCK_UNIX_UNNAMED);
#endif
}

static void
test_numeric_host(void)
{
    csock_sockaddr sa;
    socklen_t len;
    char text[64];

    CHECK_EQ(csock_addr_numeric_host("127.0.0.1", AF_INET, &sa, &len), 1);
    CHECK_EQ(len, sizeof(struct sockaddr_in));
    CHECK_EQ(sa.in4.sin_addr.s_addr, htonl(0x7f000001));
    CHECK_EQ(csock_addr_numeric_host("<broadcast>", AF_INET, &sa, &len), 1);
    CHECK_EQ(sa.in4.sin_addr.s_addr, htonl(INADDR_BROADCAST));
    CHECK_EQ(csock_addr_numeric_host("255.255.255.255", AF_UNSPEC, &sa,
                                     &len), 1);
    CHECK_EQ(sa.sa.sa_family, AF_INET);
    CHECK_EQ(csock_addr_numeric_host("<broadcast>", AF_INET6, &sa, &len),
             -EAFNOSUPPORT);
    CHECK_EQ(csock_addr_numeric_host("255.255.255.255", AF_INET6, &sa,
                                     &len), -EAFNOSUPPORT);
    CHECK_EQ(csock_addr_numeric_host("::1", AF_INET6, &sa, &len), 1);
    CHECK_EQ(len, sizeof(struct sockaddr_in6));
    CHECK_EQ(csock_addr_ntop(&sa, text, sizeof(text)), 3);
    CHECK_STR(text, "::1");
    CHECK_EQ(sa.in6.sin6_scope_id, 0);
    CHECK_EQ(csock_addr_numeric_host("::1", AF_UNSPEC, &sa, &len), 1);
    CHECK_EQ(sa.sa.sa_family, AF_INET6);
    CHECK_EQ(csock_addr_numeric_host("1.2.3.4", AF_UNSPEC, &sa, &len), 1);
    CHECK_EQ(sa.sa.sa_family, AF_INET);
    /* The wrong family, loose IPv4 forms, scopes, names and the empty
     * string all go to the resolver. */
    CHECK_EQ(csock_addr_numeric_host("::1", AF_INET, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host("1.2.3.4", AF_INET6, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host("127.1", AF_INET, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host("127.0.0.010", AF_INET, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host(" 127.0.0.1", AF_INET, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host("fe80::1%lo", AF_INET6, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host("localhost", AF_INET, &sa, &len), 0);
    CHECK_EQ(csock_addr_numeric_host("", AF_INET, &sa, &len), 0);
}

static void
test_numeric_host_long(void)
{
    csock_sockaddr sa;
    socklen_t len;
    size_t big = 1 << 20;
    char *name = malloc(big + 1);

    CHECK(name != NULL);
    if (name == NULL) {
        return;
    }
    memset(name, '1', big);
    name[big] = '\0';
    CHECK_EQ(csock_addr_numeric_host(name, AF_UNSPEC, &sa, &len), 0);
    memset(name, ':', big);
    CHECK_EQ(csock_addr_numeric_host(name, AF_UNSPEC, &sa, &len), 0);
    free(name);
}

static void
test_resolve_wildcard(void)
{
    csock_sockaddr sa;
    socklen_t len;
    int more, err, r;
    char text[64];

    r = csock_addr_resolve("", AF_INET, &sa, &len, &more, &err);
    CHECK_EQ(r, 0);
    CHECK_EQ(more, 0);
    CHECK_EQ(len, sizeof(struct sockaddr_in));
    CHECK_EQ(sa.in4.sin_addr.s_addr, htonl(INADDR_ANY));
    r = csock_addr_resolve(NULL, AF_INET6, &sa, &len, &more, &err);
    CHECK_EQ(r, 0);
    CHECK_EQ(more, 0);
    CHECK_EQ(len, sizeof(struct sockaddr_in6));
    CHECK_EQ(csock_addr_ntop(&sa, text, sizeof(text)), 2);
    CHECK_STR(text, "::");
}

static void
test_resolve_numeric_forms(void)
{
    csock_sockaddr sa;
    socklen_t len;
    int more, err;

    /* The resolver takes the inet_aton forms, octal included. */
    CHECK_EQ(csock_addr_resolve("127.1", AF_INET, &sa, &len, &more, &err),
             0);
    CHECK_EQ(sa.in4.sin_addr.s_addr, htonl(0x7f000001));
    CHECK_EQ(csock_addr_resolve("127.0.0.010", AF_INET, &sa, &len, &more,
                                &err), 0);
    CHECK_EQ(sa.in4.sin_addr.s_addr, htonl(0x7f000008));
    /* A scope in the text survives into sin6_scope_id. */
    CHECK_EQ(csock_addr_resolve("fe80::1%1", AF_INET6, &sa, &len, &more,
                                &err), 0);
    CHECK_EQ(sa.sa.sa_family, AF_INET6);
    CHECK_EQ(sa.in6.sin6_scope_id, 1);
    /* The wrong family is the resolver's error, not a crash. */
    CHECK(csock_addr_resolve("::1", AF_INET, &sa, &len, &more, &err) != 0);
    CHECK_EQ(len, 0);
}

static void
test_resolve_localhost(void)
{
    csock_sockaddr sa;
    socklen_t len;
    int more, err;

    CHECK_EQ(csock_addr_resolve("localhost", AF_INET, &sa, &len, &more,
                                &err), 0);
    CHECK_EQ(sa.sa.sa_family, AF_INET);
    CHECK_EQ(ntohl(sa.in4.sin_addr.s_addr) >> 24, 127);
}

/* An address built here, bound, and read back through getsockname gives
 * the same name: the lengths agree with the kernel's. */
static void
test_unix_bind_roundtrip(void)
{
#ifdef __linux__
    csock_sockaddr sa, got;
    socklen_t len, glen;
    size_t n;
    char name[32];
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    snprintf(name + 1, sizeof(name) - 1, "csock-test-%ld", (long)getpid());
    name[0] = '\0';
    n = 1 + strlen(name + 1);
    CHECK_EQ(csock_addr_unix(&sa, name, n, &len), 0);
    CHECK_EQ(bind(fd, &sa.sa, len), 0);
    glen = sizeof(got);
    CHECK_EQ(getsockname(fd, &got.sa, &glen), 0);
    CHECK_EQ(glen, len);
    CHECK_EQ(csock_addr_unix_name(&got, glen, &n), CSOCK_UNIX_ABSTRACT);
    CHECK_EQ(n, 1 + strlen(name + 1));
    CHECK_EQ(memcmp(got.un.sun_path, name, n), 0);
    close(fd);

    /* Unbound: the kernel returns the bare family. */
    fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK(fd >= 0);
    if (fd < 0) {
        return;
    }
    glen = sizeof(got);
    CHECK_EQ(getsockname(fd, &got.sa, &glen), 0);
    CHECK_EQ(csock_addr_unix_name(&got, glen, &n), CSOCK_UNIX_UNNAMED);
    /* Autobind through the empty address gives an abstract name. */
    CHECK_EQ(csock_addr_unix(&sa, "", 0, &len), 0);
    CHECK_EQ(bind(fd, &sa.sa, len), 0);
    glen = sizeof(got);
    CHECK_EQ(getsockname(fd, &got.sa, &glen), 0);
    CHECK_EQ(csock_addr_unix_name(&got, glen, &n), CSOCK_UNIX_ABSTRACT);
    CHECK(n > 1);
    close(fd);
#endif
}

int
main(void)
{
    CTEST_RUN(test_sizes);
    CTEST_RUN(test_in4_roundtrip);
    CTEST_RUN(test_in6_roundtrip);
    CTEST_RUN(test_ranges);
    CTEST_RUN(test_other_family);
    CTEST_RUN(test_copy_clamps);
    CTEST_RUN(test_unix_path);
    CTEST_RUN(test_unix_unnamed);
    CTEST_RUN(test_unix_abstract);
    CTEST_RUN(test_numeric_host);
    CTEST_RUN(test_numeric_host_long);
    CTEST_RUN(test_resolve_wildcard);
    CTEST_RUN(test_resolve_numeric_forms);
    CTEST_RUN(test_resolve_localhost);
    CTEST_RUN(test_unix_bind_roundtrip);
    return ctest_summary("test_addr");
}
