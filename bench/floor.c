/*
 * floor.c - the plain-C side of csocket's benchmark (bench/bench.py).
 *
 * Two jobs, chosen by argv[1]:
 *
 *   peer-*   the far end of a ping-pong or a stream.  Every measured
 *            implementation (stdlib socket, csocket, and this program's
 *            own measured modes) talks to the same peer code, so only the
 *            measured side changes between columns of the table.
 *   others   the "floor": the same system calls a workload makes, made
 *            from C with nothing in between.  Each run does WARM untimed
 *            operations, then N timed ones, and prints
 *                cpu_ns wall_ns n
 *            (CPU time of this process, CLOCK_PROCESS_CPUTIME_ID, and
 *            monotonic wall time, both over the N timed operations).
 *
 * Descriptors come from the driver by number (it opens them and passes
 * them with subprocess's pass_fds).  Built by the driver with gcc -O2;
 * not part of the extension.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BULK_CHUNK (1 << 20)

static void
die(const char *what)
{
    perror(what);
    exit(2);
}

static int64_t
clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Keeps the compiler from dropping a result we only compute to time it. */
static volatile uintptr_t sink_value;

/* ---- helpers shared by peers and measured loops */

/* read() exactly len bytes; 0 at EOF, 1 when done. */
static int
read_full(int fd, char *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, buf + got, len - got);

        if (n == 0) {
            return 0;
        }
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        got += (size_t)n;
    }
    return 1;
}

static int
write_full(int fd, const char *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 0;
        }
        done += (size_t)n;
    }
    return 1;
}

/* ---- peers */

/* Stream echo: read size bytes, write them back, until EOF. */
static int
peer_echo(int fd, size_t size)
{
    char buf[65536];

    if (size > sizeof(buf)) {
        return 2;
    }
    while (read_full(fd, buf, size)) {
        if (!write_full(fd, buf, size)) {
            break;
        }
    }
    return 0;
}

/* Datagram echo: send each datagram back to where it came from.  A
 * zero-length datagram ends the peer. */
static int
peer_uecho(int fd)
{
    char buf[65536];

    for (;;) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof(from);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
                             (struct sockaddr *)&from, &fromlen);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return 1;
        }
        if (n == 0) {
            return 0;
        }
        if (sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
                   fromlen) < 0 && errno != EINTR) {
            return 1;
        }
    }
}

/* Read and discard until EOF. */
static int
peer_sink(int fd)
{
    static char buf[BULK_CHUNK];

    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n == 0) {
            return 0;
        }
        if (n < 0 && errno != EINTR) {
            return 0;
        }
    }
}

/* Write forever (until the reader goes away): 1 MiB blocks of bytes, or
 * linelen-byte lines ending in '\n' when linelen > 0. */
static int
peer_source(int fd, size_t linelen)
{
    static char buf[BULK_CHUNK];
    size_t len = sizeof(buf);

    memset(buf, 'x', sizeof(buf));
    if (linelen > 0) {
        /* A whole number of lines per write. */
        len = (sizeof(buf) / linelen) * linelen;
        for (size_t i = linelen - 1; i < len; i += linelen) {
            buf[i] = '\n';
        }
    }
    while (write_full(fd, buf, len)) {
    }
    return 0;
}

/* ---- measured loops.  Each returns 0 after printing its figures. */

typedef struct {
    int64_t cpu0, wall0;
} stamp;

static void
start(stamp *t)
{
    t->cpu0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    t->wall0 = clock_ns(CLOCK_MONOTONIC);
}

static void
report(const stamp *t, long n)
{
    int64_t cpu = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t->cpu0;
    int64_t wall = clock_ns(CLOCK_MONOTONIC) - t->wall0;

    printf("%lld %lld %ld\n", (long long)cpu, (long long)wall, n);
    fflush(stdout);
}

/* One 64-byte round trip, blocking descriptor. */
static void
pingpong_once(int fd, char *buf, size_t size)
{
    if (send(fd, buf, size, 0) != (ssize_t)size) {
        die("send");
    }
    if (recv(fd, buf, size, 0) != (ssize_t)size) {
        die("recv");
    }
}

/* Timeout mode done the cheap way: a non-blocking descriptor, try the
 * call first, poll only when it would block (what csocket does; the
 * stdlib polls before every call). */
static ssize_t
timed_io(int fd, char *buf, size_t size, int out)
{
    for (;;) {
        ssize_t n = out ? send(fd, buf, size, 0) : recv(fd, buf, size, 0);
        struct pollfd p;

        if (n >= 0 || errno != EAGAIN) {
            return n;
        }
        p.fd = fd;
        p.events = out ? POLLOUT : POLLIN;
        p.revents = 0;
        (void)clock_ns(CLOCK_MONOTONIC);   /* the deadline's clock read */
        if (poll(&p, 1, 5000) <= 0) {
            die("poll");
        }
    }
}

static int
run_pingpong(int fd, size_t size, long n, long warm, int timeout)
{
    char buf[65536];
    stamp t;

    memset(buf, 'x', size);
    if (timeout) {
        int fl = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    }
    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            if (timeout) {
                if (timed_io(fd, buf, size, 1) != (ssize_t)size ||
                    timed_io(fd, buf, size, 0) != (ssize_t)size) {
                    die("timed ping-pong");
                }
            }
            else {
                pingpong_once(fd, buf, size);
            }
        }
    }
    report(&t, n);
    return 0;
}

/* UDP: sendto the peer's address, recvfrom the answer. */
static int
run_udp(int fd, const char *host, int port, size_t size, long n, long warm)
{
    char buf[65536];
    struct sockaddr_in to;
    stamp t;

    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1) {
        die("inet_pton");
    }
    memset(buf, 'x', size);
    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            struct sockaddr_storage from;
            socklen_t fromlen = sizeof(from);

            if (sendto(fd, buf, size, 0, (struct sockaddr *)&to,
                       sizeof(to)) != (ssize_t)size) {
                die("sendto");
            }
            if (recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
                         &fromlen) != (ssize_t)size) {
                die("recvfrom");
            }
        }
    }
    report(&t, n);
    return 0;
}

/* Bulk: send (out) or receive 1 MiB chunks. */
static int
run_bulk(int fd, int out, long n, long warm)
{
    /* From the heap, as the Python side's bytes/bytearray are (a static
     * buffer can land on different pages, e.g. a transparent huge page,
     * and copy at a different speed). */
    char *buf = malloc(BULK_CHUNK);
    stamp t;

    if (buf == NULL) {
        die("malloc");
    }
    memset(buf, 'x', BULK_CHUNK);
    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            if (out ? !write_full(fd, buf, BULK_CHUNK)
                    : !read_full(fd, buf, BULK_CHUNK)) {
                die("bulk");
            }
        }
    }
    report(&t, n);
    free(buf);
    return 0;
}

/* readline(): an 8 KiB buffer (io.DEFAULT_BUFFER_SIZE, what makefile
 * uses), memchr for the newline, each line copied out to a new block as
 * a bytes object would be. */
static int
run_readline(int fd, long n, long warm)
{
    char buf[8192];
    size_t pos = 0, end = 0;
    stamp t;

    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            char *nl, *line;
            size_t len;

            for (;;) {
                nl = memchr(buf + pos, '\n', end - pos);
                if (nl != NULL) {
                    break;
                }
                /* Keep the partial line, refill behind it. */
                memmove(buf, buf + pos, end - pos);
                end -= pos;
                pos = 0;
                ssize_t r = read(fd, buf + end, sizeof(buf) - end);
                if (r <= 0) {
                    die("read");
                }
                end += (size_t)r;
            }
            len = (size_t)(nl + 1 - (buf + pos));
            line = malloc(len);
            if (line == NULL) {
                die("malloc");
            }
            memcpy(line, buf + pos, len);
            sink_value += (uintptr_t)line[0];
            free(line);
            pos += len;
        }
    }
    report(&t, n);
    return 0;
}

/* TCP connect + accept + close, both ends in this process. */
static int
run_churn(long n, long warm)
{
    struct sockaddr_in addr;
    socklen_t alen = sizeof(addr);
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    stamp t;

    if (lfd < 0) {
        die("socket");
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(lfd, 128) < 0 ||
        getsockname(lfd, (struct sockaddr *)&addr, &alen) < 0) {
        die("listen");
    }
    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            struct sockaddr_in peer;
            socklen_t plen = sizeof(peer);
            int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            int s;

            if (c < 0 ||
                connect(c, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
                die("connect");
            }
            s = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
            if (s < 0) {
                die("accept");
            }
            close(s);
            close(c);
        }
    }
    report(&t, n);
    close(lfd);
    return 0;
}

static int
run_socket(long n, long warm)
{
    stamp t;

    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

            if (fd < 0) {
                die("socket");
            }
            close(fd);
        }
    }
    report(&t, n);
    return 0;
}

/* The conversion functions, called through a volatile pointer-free loop:
 * the result is folded into sink_value so that nothing is optimised
 * away. */
static int
run_conv(const char *what, long n, long warm)
{
    struct in_addr a4;
    uint8_t packed[4] = {192, 168, 1, 100};
    char text[INET6_ADDRSTRLEN];
    volatile uint32_t x = 0x1234;
    stamp t;

    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        if (strcmp(what, "inet_pton") == 0) {
            for (long i = 0; i < count; i++) {
                if (inet_pton(AF_INET, "192.168.1.100", &a4) != 1) {
                    die("inet_pton");
                }
                sink_value += a4.s_addr;
            }
        }
        else if (strcmp(what, "inet_ntop") == 0) {
            for (long i = 0; i < count; i++) {
                if (inet_ntop(AF_INET, packed, text, sizeof(text)) == NULL) {
                    die("inet_ntop");
                }
                sink_value += (uintptr_t)text[0];
            }
        }
        else if (strcmp(what, "inet_aton") == 0) {
            for (long i = 0; i < count; i++) {
                if (inet_aton("192.168.1.100", &a4) == 0) {
                    die("inet_aton");
                }
                sink_value += a4.s_addr;
            }
        }
        else if (strcmp(what, "inet_ntoa") == 0) {
            for (long i = 0; i < count; i++) {
                memcpy(&a4, packed, 4);
                sink_value += (uintptr_t)inet_ntoa(a4)[0];
            }
        }
        else if (strcmp(what, "htons") == 0) {
            for (long i = 0; i < count; i++) {
                sink_value += htons((uint16_t)x);
            }
        }
        else if (strcmp(what, "ntohl") == 0) {
            for (long i = 0; i < count; i++) {
                sink_value += ntohl(x);
            }
        }
        else if (strcmp(what, "getaddrinfo") == 0) {
            /* Zeroed hints, as Python passes them: getaddrinfo() with
             * NULL hints would add AI_ADDRCONFIG (a netlink query). */
            struct addrinfo hints;

            memset(&hints, 0, sizeof(hints));
            for (long i = 0; i < count; i++) {
                struct addrinfo *res;

                if (getaddrinfo("127.0.0.1", "80", &hints, &res) != 0) {
                    die("getaddrinfo");
                }
                sink_value += (uintptr_t)res->ai_family;
                freeaddrinfo(res);
            }
        }
        else {
            fprintf(stderr, "unknown conversion %s\n", what);
            return 2;
        }
    }
    report(&t, n);
    return 0;
}

/* The selectors workload: a non-blocking descriptor, send, epoll_wait
 * for readability, recv. */
static int
run_epoll(int fd, size_t size, long n, long warm)
{
    char buf[65536];
    struct epoll_event ev;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    stamp t;

    if (ep < 0) {
        die("epoll_create1");
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    memset(&ev, 0, sizeof(ev));
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        die("epoll_ctl");
    }
    memset(buf, 'x', size);
    for (long pass = 0; pass < 2; pass++) {
        long count = pass == 0 ? warm : n;

        if (pass == 1) {
            start(&t);
        }
        for (long i = 0; i < count; i++) {
            struct epoll_event out[8];

            if (send(fd, buf, size, 0) != (ssize_t)size) {
                die("send");
            }
            if (epoll_wait(ep, out, 8, -1) < 1) {
                die("epoll_wait");
            }
            if (recv(fd, buf, size, 0) != (ssize_t)size) {
                die("recv");
            }
        }
    }
    report(&t, n);
    close(ep);
    return 0;
}

static long
num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0') {
        fprintf(stderr, "not a number: %s\n", s);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    /* A peer whose reader vanished gets EPIPE, not a fatal signal. */
    signal(SIGPIPE, SIG_IGN);
    if (strcmp(mode, "peer-echo") == 0 && argc == 4) {
        return peer_echo((int)num(argv[2]), (size_t)num(argv[3]));
    }
    if (strcmp(mode, "peer-uecho") == 0 && argc == 3) {
        return peer_uecho((int)num(argv[2]));
    }
    if (strcmp(mode, "peer-sink") == 0 && argc == 3) {
        return peer_sink((int)num(argv[2]));
    }
    if (strcmp(mode, "peer-source") == 0 && argc == 4) {
        return peer_source((int)num(argv[2]), (size_t)num(argv[3]));
    }
    /* Measured modes: ... N WARM at the end. */
    if (argc >= 4) {
        long n = num(argv[argc - 2]), warm = num(argv[argc - 1]);

        if (strcmp(mode, "pingpong") == 0 && argc == 7) {
            return run_pingpong((int)num(argv[2]), (size_t)num(argv[3]), n,
                                warm, (int)num(argv[4]));
        }
        if (strcmp(mode, "udp") == 0 && argc == 8) {
            return run_udp((int)num(argv[2]), argv[3], (int)num(argv[4]),
                           (size_t)num(argv[5]), n, warm);
        }
        if (strcmp(mode, "bulk-send") == 0 && argc == 5) {
            return run_bulk((int)num(argv[2]), 1, n, warm);
        }
        if (strcmp(mode, "bulk-recv") == 0 && argc == 5) {
            return run_bulk((int)num(argv[2]), 0, n, warm);
        }
        if (strcmp(mode, "readline") == 0 && argc == 5) {
            return run_readline((int)num(argv[2]), n, warm);
        }
        if (strcmp(mode, "churn") == 0 && argc == 4) {
            return run_churn(n, warm);
        }
        if (strcmp(mode, "socket") == 0 && argc == 4) {
            return run_socket(n, warm);
        }
        if (strcmp(mode, "conv") == 0 && argc == 5) {
            return run_conv(argv[2], n, warm);
        }
        if (strcmp(mode, "epoll") == 0 && argc == 6) {
            return run_epoll((int)num(argv[2]), (size_t)num(argv[3]), n,
                             warm);
        }
    }
    fprintf(stderr, "usage: floor MODE ARGS... (see bench/bench.py)\n");
    return 2;
}
