/* test_msg.c - the core's sendmsg/recvmsg wrappers and control-buffer
 * helpers (include/csock/msg.h): building, walking (also over garbage
 * and unaligned buffers), descriptor passing and its truncation, and
 * closing descriptors nobody will see. */
#include "csock.h"
#include "csock/msg.h"
#include "ctest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef SOL_ALG
#define SOL_ALG 279
#endif

/* An aligned scratch buffer, as the binding allocates. */
typedef union {
    struct cmsghdr align;
    unsigned char bytes[1024];
} ctlbuf;

static int
fd_is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

static void
test_len_space_limits(void)
{
    size_t out = 0;

    CHECK_EQ(csock_cmsg_len(0, &out), 0);
    CHECK_EQ(out, CMSG_LEN(0));
    CHECK_EQ(csock_cmsg_space(1, &out), 0);
    CHECK_EQ(out, CMSG_SPACE(1));
    CHECK_EQ(csock_cmsg_len(CSOCK_CMSG_LEN_MAX, &out), 0);
    CHECK_EQ(out, INT_MAX);
    CHECK_EQ(csock_cmsg_len(CSOCK_CMSG_LEN_MAX + 1, &out), -EOVERFLOW);
    CHECK_EQ(csock_cmsg_space(CSOCK_CMSG_SPACE_MAX, &out), 0);
    CHECK(out <= INT_MAX);
    CHECK_EQ(csock_cmsg_space(CSOCK_CMSG_SPACE_MAX + 1, &out), -EOVERFLOW);
    CHECK_EQ(csock_cmsg_space(SIZE_MAX, &out), -EOVERFLOW);
    CHECK_EQ(csock_cmsg_len(SIZE_MAX, &out), -EOVERFLOW);
}

static void
test_put_then_walk(void)
{
    ctlbuf b;
    size_t off = 0, pos = 0, total;
    csock_cmsg item;
    const char one[] = "abc";
    const int two[2] = {7, 8};

    memset(b.bytes, 0xAA, sizeof(b.bytes));
    total = CMSG_SPACE(3) + CMSG_SPACE(sizeof(two));
    CHECK_EQ(csock_cmsg_put(b.bytes, total, &off, 1, 2, one, 3), 0);
    CHECK_EQ(off, CMSG_SPACE(3));
    /* The padding after the 3 data bytes is zeroed. */
    CHECK_EQ(b.bytes[CMSG_LEN(3)], 0);
    CHECK_EQ(b.bytes[CMSG_SPACE(3) - 1], 0);
    CHECK_EQ(csock_cmsg_put(b.bytes, total, &off, SOL_SOCKET, SCM_RIGHTS,
                            two, sizeof(two)), 0);
    CHECK_EQ(off, total);
    /* Full: one more byte does not fit, and nothing is written. */
    b.bytes[total] = 0x55;
    CHECK_EQ(csock_cmsg_put(b.bytes, total, &off, 1, 1, "x", 1), -ENOBUFS);
    CHECK_EQ(off, total);
    CHECK_EQ(b.bytes[total], 0x55);

    /* The system's own macros agree with the layout. */
    {
        struct msghdr m;
        struct cmsghdr *c;

        memset(&m, 0, sizeof(m));
        m.msg_control = b.bytes;
        m.msg_controllen = total;
        c = CMSG_FIRSTHDR(&m);
        CHECK(c != NULL);
        CHECK_EQ(c->cmsg_len, CMSG_LEN(3));
        CHECK(memcmp(CMSG_DATA(c), "abc", 3) == 0);
        c = CMSG_NXTHDR(&m, c);
        CHECK(c != NULL);
        CHECK_EQ(c->cmsg_type, SCM_RIGHTS);
        CHECK(CMSG_NXTHDR(&m, c) == NULL);
    }

    CHECK_EQ(csock_cmsg_next(b.bytes, total, &pos, &item), 1);
    CHECK_EQ(item.level, 1);
    CHECK_EQ(item.type, 2);
    CHECK_EQ(item.len, 3);
    CHECK_EQ(item.truncated, 0);
    CHECK(memcmp(item.data, "abc", 3) == 0);
    CHECK_EQ(csock_cmsg_next(b.bytes, total, &pos, &item), 1);
    CHECK_EQ(item.level, SOL_SOCKET);
    CHECK_EQ(item.type, SCM_RIGHTS);
    CHECK_EQ(item.len, sizeof(two));
    CHECK_EQ(csock_cmsg_fd_count(item.len), 2);
    CHECK_EQ(csock_cmsg_fd_at(item.data, 0), 7);
    CHECK_EQ(csock_cmsg_fd_at(item.data, 1), 8);
    CHECK_EQ(csock_cmsg_next(b.bytes, total, &pos, &item), 0);
    CHECK_EQ(csock_cmsg_next(b.bytes, total, &pos, &item), 0);
}

static void
test_put_errors(void)
{
    ctlbuf b;
    size_t off = 0;

    CHECK_EQ(csock_cmsg_put(NULL, 0, &off, 1, 1, "", 0), -ENOBUFS);
    CHECK_EQ(csock_cmsg_put(b.bytes, sizeof(b.bytes), &off, 1, 1, "",
                            CSOCK_CMSG_SPACE_MAX + 1), -EOVERFLOW);
    /* An offset past the end is refused rather than trusted. */
    off = sizeof(b.bytes) + 8;
    CHECK_EQ(csock_cmsg_put(b.bytes, sizeof(b.bytes), &off, 1, 1, "", 0),
             -ENOBUFS);
    /* A zero-length item takes just a header. */
    off = 0;
    CHECK_EQ(csock_cmsg_put(b.bytes, CMSG_SPACE(0), &off, 1, 1, NULL, 0), 0);
    CHECK_EQ(off, CMSG_SPACE(0));
}

/* Write a raw header (possibly lying about its length) at p. */
static void
raw_header(unsigned char *p, size_t cmsg_len, int level, int type)
{
    struct cmsghdr h;

    memset(&h, 0, sizeof(h));
    h.cmsg_len = cmsg_len;
    h.cmsg_level = level;
    h.cmsg_type = type;
    memcpy(p, &h, sizeof(h));
}

static void
test_walk_edges(void)
{
    ctlbuf b;
    size_t pos;
    csock_cmsg item;

    /* Nothing to walk. */
    pos = 0;
    CHECK_EQ(csock_cmsg_next(NULL, 100, &pos, &item), 0);
    CHECK_EQ(csock_cmsg_next(b.bytes, 0, &pos, &item), 0);
    /* Fewer bytes than a header. */
    raw_header(b.bytes, CMSG_LEN(4), 1, 1);
    CHECK_EQ(csock_cmsg_next(b.bytes, sizeof(struct cmsghdr) - 1, &pos,
                             &item), 0);
    /* A length shorter than a header: malformed, the walk stops. */
    raw_header(b.bytes, sizeof(struct cmsghdr) - 1, 1, 1);
    pos = 0;
    CHECK_EQ(csock_cmsg_next(b.bytes, 64, &pos, &item), -EBADMSG);
    raw_header(b.bytes, 0, 1, 1);
    CHECK_EQ(csock_cmsg_next(b.bytes, 64, &pos, &item), -EBADMSG);
    /* A length running past the buffer: the data that is there, marked
     * truncated, and the end. */
    raw_header(b.bytes, CMSG_LEN(100), 3, 4);
    pos = 0;
    CHECK_EQ(csock_cmsg_next(b.bytes, CMSG_LEN(5), &pos, &item), 1);
    CHECK_EQ(item.truncated, 1);
    CHECK_EQ(item.len, 5);
    CHECK_EQ(item.level, 3);
    CHECK_EQ(pos, CMSG_LEN(5));
    CHECK_EQ(csock_cmsg_next(b.bytes, CMSG_LEN(5), &pos, &item), 0);
    /* An absurd length (as garbage may hold). */
    raw_header(b.bytes, (size_t)-1 > 0xffffffffu ? (size_t)-1 : 0xffffffffu,
               1, 1);
    pos = 0;
    CHECK_EQ(csock_cmsg_next(b.bytes, 64, &pos, &item), 1);
    CHECK_EQ(item.truncated, 1);
    CHECK_EQ(item.len, 64 - CMSG_LEN(0));
    /* An exact item whose padding is cut off is complete, and last. */
    raw_header(b.bytes, CMSG_LEN(1), 1, 1);
    pos = 0;
    CHECK_EQ(csock_cmsg_next(b.bytes, CMSG_LEN(1), &pos, &item), 1);
    CHECK_EQ(item.truncated, 0);
    CHECK_EQ(item.len, 1);
    CHECK_EQ(csock_cmsg_next(b.bytes, CMSG_LEN(1), &pos, &item), 0);
    /* A second header cut in the middle is not reported. */
    raw_header(b.bytes, CMSG_LEN(4), 1, 1);
    raw_header(b.bytes + CMSG_SPACE(4), CMSG_LEN(4), 1, 1);
    pos = 0;
    CHECK_EQ(csock_cmsg_next(b.bytes, CMSG_SPACE(4) + 4, &pos, &item), 1);
    CHECK_EQ(csock_cmsg_next(b.bytes, CMSG_SPACE(4) + 4, &pos, &item), 0);
}

/* Building and walking at an odd address: the helpers use memcpy, never
 * a misaligned struct access (UBSan would flag one). */
static void
test_unaligned(void)
{
    static unsigned char raw[600];
    unsigned char *p = raw + 1;
    size_t off = 0, pos = 0;
    csock_cmsg item;
    int fd = 42;

    CHECK_EQ(csock_cmsg_put(p, 500, &off, SOL_SOCKET, SCM_RIGHTS, &fd,
                            sizeof(fd)), 0);
    CHECK_EQ(csock_cmsg_put(p, 500, &off, 9, 9, "hello", 5), 0);
    CHECK_EQ(csock_cmsg_next(p, off, &pos, &item), 1);
    CHECK_EQ(csock_cmsg_fd_at(item.data, 0), 42);
    CHECK_EQ(csock_cmsg_next(p, off, &pos, &item), 1);
    CHECK_EQ(item.len, 5);
    CHECK(memcmp(item.data, "hello", 5) == 0);
    CHECK_EQ(csock_cmsg_next(p, off, &pos, &item), 0);
}

/* Garbage in: the walk always ends, moves forward, and every item lies
 * inside the buffer. */
static void
test_walk_garbage(void)
{
    static unsigned char raw[300];
    uint32_t seed = 12345;
    int round, bad = 0;

    for (round = 0; round < 200000; round++) {
        size_t len = 1 + (size_t)(round % 250), pos = 0, i;
        unsigned char *p = raw + (round & 7);
        csock_cmsg item;
        int steps = 0, r;

        for (i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            p[i] = (unsigned char)(seed >> 16);
        }
        /* Small lengths are more interesting than random ones. */
        if (round & 1) {
            raw_header(p, (seed >> 8) % 64, SOL_SOCKET, SCM_RIGHTS);
        }
        for (;;) {
            size_t before = pos;

            r = csock_cmsg_next(p, len, &pos, &item);
            if (r <= 0) {
                break;
            }
            if (item.data < p || item.data + item.len > p + len ||
                pos > len || pos <= before || ++steps > 1000) {
                bad++;
                break;
            }
        }
    }
    CHECK_EQ(bad, 0);
}

static void
test_sendmsg_recvmsg_fds(void)
{
    int sv[2], pfd[2];
    ctlbuf out, in;
    size_t off = 0, pos = 0;
    struct msghdr m;
    struct iovec iov;
    char data = 'x', got = 0;
    int fds[2];
    csock_cmsg item;
    ssize_t n;

    CHECK_EQ(csock_socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(pipe(pfd), 0);
    fds[0] = pfd[0];
    fds[1] = pfd[1];
    CHECK_EQ(csock_cmsg_put(out.bytes, sizeof(out.bytes), &off, SOL_SOCKET,
                            SCM_RIGHTS, fds, sizeof(fds)), 0);
    memset(&m, 0, sizeof(m));
    iov.iov_base = &data;
    iov.iov_len = 1;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = out.bytes;
    m.msg_controllen = off;
    CHECK_EQ(csock_sendmsg(sv[0], &m, 0), 1);

    memset(&m, 0, sizeof(m));
    iov.iov_base = &got;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = in.bytes;
    m.msg_controllen = sizeof(in.bytes);
    n = csock_recvmsg(sv[1], &m, 0);
    CHECK_EQ(n, 1);
    CHECK_EQ(got, 'x');
    CHECK_EQ(m.msg_flags & MSG_CTRUNC, 0);
    CHECK_EQ(csock_cmsg_next(in.bytes, m.msg_controllen, &pos, &item), 1);
    CHECK_EQ(item.level, SOL_SOCKET);
    CHECK_EQ(item.type, SCM_RIGHTS);
    CHECK_EQ(csock_cmsg_fd_count(item.len), 2);
    {
        int a = csock_cmsg_fd_at(item.data, 0);
        int b = csock_cmsg_fd_at(item.data, 1);

        CHECK(fd_is_open(a));
        CHECK(fd_is_open(b));
        CHECK_EQ(csock_cmsg_close_fds(in.bytes, m.msg_controllen), 2);
        CHECK(!fd_is_open(a));
        CHECK(!fd_is_open(b));
    }

    /* Room for one descriptor: the kernel passes one, closes the other,
     * and says MSG_CTRUNC. */
    CHECK_EQ(csock_sendmsg(sv[0], &(struct msghdr){
        .msg_iov = &(struct iovec){&data, 1}, .msg_iovlen = 1,
        .msg_control = out.bytes, .msg_controllen = off}, 0), 1);
    memset(&m, 0, sizeof(m));
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = in.bytes;
    m.msg_controllen = CMSG_LEN(sizeof(int));
    CHECK_EQ(csock_recvmsg(sv[1], &m, 0), 1);
    CHECK(m.msg_flags & MSG_CTRUNC);
    pos = 0;
    CHECK_EQ(csock_cmsg_next(in.bytes, m.msg_controllen, &pos, &item), 1);
    CHECK_EQ(csock_cmsg_fd_count(item.len), 1);
    CHECK_EQ(csock_cmsg_close_fds(in.bytes, m.msg_controllen), 1);

    /* Errors come back as -errno. */
    CHECK_EQ(csock_recvmsg(-1, &m, 0), -EBADF);
    CHECK_EQ(csock_sendmsg(-1, &m, 0), -EBADF);
    CHECK_EQ(csock_recvmsg(sv[1], &m, MSG_DONTWAIT), -EAGAIN);

    close(pfd[0]);
    close(pfd[1]);
    close(sv[0]);
    close(sv[1]);
}

static void
test_close_fds_ignores_others(void)
{
    ctlbuf b;
    size_t off = 0;
    int pfd[2], fake[1];

    CHECK_EQ(pipe(pfd), 0);
    fake[0] = pfd[0];
    /* Same payload under another level/type: not descriptors. */
    CHECK_EQ(csock_cmsg_put(b.bytes, sizeof(b.bytes), &off, SOL_SOCKET + 1,
                            SCM_RIGHTS, fake, sizeof(fake)), 0);
    /* A partial int is not a descriptor either. */
    CHECK_EQ(csock_cmsg_put(b.bytes, sizeof(b.bytes), &off, SOL_SOCKET,
                            SCM_RIGHTS, fake, sizeof(int) - 1), 0);
    CHECK_EQ(csock_cmsg_close_fds(b.bytes, off), 0);
    CHECK(fd_is_open(pfd[0]));
    CHECK_EQ(csock_cmsg_close_fds(NULL, 0), 0);
    close(pfd[0]);
    close(pfd[1]);
}

static void
test_afalg_control(void)
{
#ifdef __linux__
    ctlbuf b;
    size_t size = 0, pos = 0;
    csock_cmsg item;
    uint32_t v;
    const unsigned char iv[4] = {1, 2, 3, 4};

    CHECK_EQ(csock_afalg_control_size(iv, sizeof(iv), 1, &size), 0);
    CHECK_EQ(size, CMSG_SPACE(4) + CMSG_SPACE(4 + sizeof(iv))
                   + CMSG_SPACE(4));
    CHECK_EQ(csock_afalg_control(b.bytes, size, 1, iv, sizeof(iv), 1, 16),
             0);
    CHECK_EQ(csock_cmsg_next(b.bytes, size, &pos, &item), 1);
    CHECK_EQ(item.level, SOL_ALG);
    CHECK_EQ(item.len, 4);
    memcpy(&v, item.data, 4);
    CHECK_EQ(v, 1);
    CHECK_EQ(csock_cmsg_next(b.bytes, size, &pos, &item), 1);
    CHECK_EQ(item.len, 4 + sizeof(iv));
    memcpy(&v, item.data, 4);
    CHECK_EQ(v, sizeof(iv));
    CHECK(memcmp(item.data + 4, iv, sizeof(iv)) == 0);
    CHECK_EQ(csock_cmsg_next(b.bytes, size, &pos, &item), 1);
    memcpy(&v, item.data, 4);
    CHECK_EQ(v, 16);
    CHECK_EQ(csock_cmsg_next(b.bytes, size, &pos, &item), 0);

    /* Only the operation. */
    CHECK_EQ(csock_afalg_control_size(NULL, 0, 0, &size), 0);
    CHECK_EQ(size, CMSG_SPACE(4));
    /* Too small a buffer, too large an IV. */
    CHECK_EQ(csock_afalg_control(b.bytes, 8, 1, NULL, 0, 0, 0), -ENOBUFS);
    CHECK_EQ(csock_afalg_control_size(iv, CSOCK_CMSG_SPACE_MAX, 0, &size),
             -EOVERFLOW);
#endif
}

int
main(void)
{
    CTEST_RUN(test_len_space_limits);
    CTEST_RUN(test_put_then_walk);
    CTEST_RUN(test_put_errors);
    CTEST_RUN(test_walk_edges);
    CTEST_RUN(test_unaligned);
    CTEST_RUN(test_walk_garbage);
    CTEST_RUN(test_sendmsg_recvmsg_fds);
    CTEST_RUN(test_close_fds_ignores_others);
    CTEST_RUN(test_afalg_control);
    return ctest_summary("test_msg");
}
