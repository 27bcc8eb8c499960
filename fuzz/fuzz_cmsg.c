/* fuzz_cmsg.c - libFuzzer harness for ancillary-data (control message)
 * building and walking (include/csock/msg.h, src/core/msg.c).
 *
 * Two halves:
 *  - walk: arbitrary bytes, at an arbitrary (often unaligned) offset, as
 *    a received control buffer of exactly that size; every item the
 *    walker returns must lie inside the buffer, the walk must make
 *    progress and end, and reading SCM_RIGHTS descriptors must stay
 *    inside the item;
 *  - build: a list of items described by the input is packed with
 *    csock_cmsg_put into a buffer of input-chosen size, then walked back;
 *    what was packed must come back unchanged, and a put that does not
 *    fit must leave the buffer and the offset untouched.
 * csock_cmsg_close_fds() is not called: it would close this process's
 * descriptors named by fuzz input. */
#include "csock.h"
#include "csock/msg.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) { abort(); } } while (0)

static void
walk(const unsigned char *buf, size_t len)
{
    size_t pos = 0, steps = 0, i;
    csock_cmsg item;
    int r;

    while ((r = csock_cmsg_next(buf, len, &pos, &item)) > 0) {
        CHECK(item.data >= buf && item.data <= buf + len);
        CHECK(item.len <= (size_t)(buf + len - item.data));
        CHECK(pos <= len);
        if (item.truncated) {
            CHECK(pos == len);
        }
        if (item.level == SOL_SOCKET && item.type == SCM_RIGHTS) {
            size_t n = csock_cmsg_fd_count(item.len);
            volatile unsigned int sink = 0;

            CHECK(n * sizeof(int) <= item.len);
            for (i = 0; i < n; i++) {
                sink += (unsigned int)csock_cmsg_fd_at(item.data, i);
            }
            (void)sink;
        }
        CHECK(++steps <= len / sizeof(struct cmsghdr) + 1);
    }
    CHECK(r == 0 || r == -EBADMSG);
}

/* Items for the build half: level, type, datalen, data from the input. */
typedef struct {
    int level, type;
    size_t len;
    const unsigned char *data;
} spec;

static void
build(const uint8_t *data, size_t size)
{
    union {
        struct cmsghdr align;
        unsigned char bytes[4096];
    } ctl;
    spec items[16];
    size_t n = 0, controllen, off = 0, pos = 0, i;
    csock_cmsg item;

    if (size < 2) {
        return;
    }
    controllen = ((size_t)data[0] << 4 | data[1]) % (sizeof(ctl) + 1);
    data += 2;
    size -= 2;
    while (size >= 3 && n < 16) {
        size_t len = data[2] % 64;

        items[n].level = data[0] - 128;
        items[n].type = data[1];
        data += 3;
        size -= 3;
        if (len > size) {
            len = size;
        }
        items[n].len = len;
        items[n].data = data;
        data += len;
        size -= len;
        n++;
    }
    memset(ctl.bytes, 0xA5, sizeof(ctl.bytes));
    for (i = 0; i < n; i++) {
        size_t before = off;
        int r = csock_cmsg_put(ctl.bytes, controllen, &off, items[i].level,
                               items[i].type, items[i].data, items[i].len);

        if (r != 0) {
            CHECK(r == -ENOBUFS && off == before);
            CHECK(before + CMSG_SPACE(items[i].len) > controllen);
            n = i;
            break;
        }
        CHECK(off == before + CMSG_SPACE(items[i].len) && off <= controllen);
    }
    /* Nothing written past the packed items. */
    for (i = off; i < sizeof(ctl.bytes); i++) {
        CHECK(ctl.bytes[i] == 0xA5);
    }
    for (i = 0; i < n; i++) {
        CHECK(csock_cmsg_next(ctl.bytes, off, &pos, &item) == 1);
        CHECK(!item.truncated);
        CHECK(item.level == items[i].level && item.type == items[i].type);
        CHECK(item.len == items[i].len);
        CHECK(item.len == 0 || memcmp(item.data, items[i].data,
                                      item.len) == 0);
    }
    CHECK(csock_cmsg_next(ctl.bytes, off, &pos, &item) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t skew;
    unsigned char *buf;
    size_t sp;

    if (size < 1) {
        return 0;
    }
    /* Walk the bytes after the first at an offset of 0..7 bytes from
     * malloc's alignment, in a buffer of exactly their size. */
    skew = data[0] % 8;
    buf = malloc(size - 1 + skew + 1);
    CHECK(buf != NULL);
    memcpy(buf + skew, data + 1, size - 1);
    walk(buf + skew, size - 1);
    free(buf);

    build(data + 1, size - 1);

    /* The size helpers at the edges. */
    if (size >= 8) {
        size_t v;

        memcpy(&v, data, sizeof(v) < size ? sizeof(v) : size);
        if (csock_cmsg_space(v, &sp) == 0) {
            CHECK(sp >= v && sp <= (size_t)INT_MAX);
        }
        if (csock_cmsg_len(v, &sp) == 0) {
            CHECK(sp >= v && sp <= (size_t)INT_MAX);
        }
    }
    return 0;
}
