/*
 * msg.c - sendmsg(2)/recvmsg(2) wrappers and control-message buffers.
 *
 * The control-buffer code does not use CMSG_FIRSTHDR/CMSG_NXTHDR to walk
 * received data: those macros trust cmsg_len, and a few libc versions
 * compute the next header from it without checking that the header (let
 * alone its data) lies inside the buffer.  Instead every header is copied
 * out with memcpy (so the buffer need not be aligned) and every length is
 * checked against what remains before it is used.  Only CMSG_LEN and
 * CMSG_SPACE, which are plain arithmetic on lengths we have bounded, come
 * from the system headers.
 */
#include "csock.h"
#include "csock/msg.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#if defined(__linux__)
#  if defined(__has_include)
#    if __has_include(<linux/if_alg.h>)
#      include <linux/if_alg.h>
#      define CSOCK_HAVE_AFALG 1
#    endif
#  else
#    include <linux/if_alg.h>
#    define CSOCK_HAVE_AFALG 1
#  endif
#endif
#if defined(CSOCK_HAVE_AFALG) && !defined(SOL_ALG)
#  define SOL_ALG 279   /* Linux's value; older libcs do not name it */
#endif

ssize_t
csock_sendmsg(int fd, const struct msghdr *msg, int flags)
{
    ssize_t n = sendmsg(fd, msg, flags);

    return n < 0 ? CSOCK_ERR(errno) : n;
}

ssize_t
csock_recvmsg(int fd, struct msghdr *msg, int flags)
{
    ssize_t n = recvmsg(fd, msg, flags);

    return n < 0 ? CSOCK_ERR(errno) : n;
}

int
csock_cmsg_len(size_t datalen, size_t *out)
{
    if (datalen > CSOCK_CMSG_LEN_MAX) {
        return CSOCK_ERR(EOVERFLOW);
    }
    *out = CMSG_LEN(datalen);
    return 0;
}

int
csock_cmsg_space(size_t datalen, size_t *out)
{
    if (datalen > CSOCK_CMSG_SPACE_MAX) {
        return CSOCK_ERR(EOVERFLOW);
    }
    *out = CMSG_SPACE(datalen);
    return 0;
}

/* Write the header of an item of datalen bytes at *offset, zero its
 * padding, advance *offset, and return where the data goes (NULL with
 * *err set when the item is too large or does not fit). */
static unsigned char *
reserve(void *control, size_t controllen, size_t *offset, int level,
        int type, size_t datalen, int *err)
{
    unsigned char *p;
    struct cmsghdr h;
    size_t space, off = *offset;
    const size_t hdr = CMSG_LEN(0);

    if (datalen > CSOCK_CMSG_SPACE_MAX) {
        *err = CSOCK_ERR(EOVERFLOW);
        return NULL;
    }
    space = CMSG_SPACE(datalen);
    if (control == NULL || off > controllen || space > controllen - off) {
        *err = CSOCK_ERR(ENOBUFS);
        return NULL;
    }
    p = (unsigned char *)control + off;
    /* Zero the whole item first: the bytes between the end of struct
     * cmsghdr and the data (on platforms that have any) and the padding
     * after the data must not carry stale memory to the kernel. */
    memset(p, 0, space);
    memset(&h, 0, sizeof(h));
    h.cmsg_len = CMSG_LEN(datalen);
    h.cmsg_level = level;
    h.cmsg_type = type;
    memcpy(p, &h, sizeof(h));
    *offset = off + space;
    return p + hdr;
}

int
csock_cmsg_put(void *control, size_t controllen, size_t *offset, int level,
               int type, const void *data, size_t datalen)
{
    int err = 0;
    unsigned char *p = reserve(control, controllen, offset, level, type,
                               datalen, &err);

    if (p == NULL) {
        return err;
    }
    if (datalen > 0) {
        memcpy(p, data, datalen);
    }
    return 0;
}

int
csock_cmsg_next(const void *control, size_t controllen, size_t *pos,
                csock_cmsg *item)
{
    const unsigned char *base = control;
    const size_t hdr = CMSG_LEN(0);   /* offset of the data in an item */
    struct cmsghdr h;
    size_t off = *pos, room, claimed, datalen;

    if (base == NULL || off >= controllen || controllen - off < sizeof(h)) {
        return 0;
    }
    room = controllen - off;
    memcpy(&h, base + off, sizeof(h));
    claimed = (size_t)h.cmsg_len;
    if (claimed < hdr) {
        return CSOCK_ERR(EBADMSG);
    }
    item->level = h.cmsg_level;
    item->type = h.cmsg_type;
    item->truncated = 0;
    datalen = claimed - hdr;
    if (room < hdr) {
        /* The header fits but the data would start past the end (only
         * where struct cmsghdr is shorter than its aligned size). */
        item->data = base + controllen;
        item->len = 0;
        item->truncated = datalen > 0;
        *pos = controllen;
        return 1;
    }
    item->data = base + off + hdr;
    if (datalen > room - hdr) {
        /* cmsg_len runs past the buffer: hand back what is there and
         * stop, since the next header's position cannot be trusted. */
        item->len = room - hdr;
        item->truncated = 1;
        *pos = controllen;
        return 1;
    }
    item->len = datalen;
    /* The next item starts after the aligned data; when that (or its
     * padding) is past the end, this was the last one. */
    if (datalen > CSOCK_CMSG_SPACE_MAX || CMSG_SPACE(datalen) >= room) {
        *pos = controllen;
    }
    else {
        *pos = off + CMSG_SPACE(datalen);
    }
    return 1;
}

size_t
csock_cmsg_fd_count(size_t len)
{
    return len / sizeof(int);
}

int
csock_cmsg_fd_at(const unsigned char *data, size_t i)
{
    int fd;

    memcpy(&fd, data + i * sizeof(int), sizeof(int));
    return fd;
}

int
csock_cmsg_close_fds(const void *control, size_t controllen)
{
    size_t pos = 0;
    csock_cmsg item;
    int closed = 0;

    while (csock_cmsg_next(control, controllen, &pos, &item) > 0) {
        size_t i, n;

        if (item.level != SOL_SOCKET || item.type != SCM_RIGHTS) {
            continue;
        }
        n = csock_cmsg_fd_count(item.len);
        for (i = 0; i < n; i++) {
            int fd = csock_cmsg_fd_at(item.data, i);

            /* EINTR still releases the descriptor on Linux (see
             * csock_close); there is nothing else to do on failure. */
            if (fd >= 0) {
                (void)close(fd);
                closed++;
            }
        }
    }
    return closed;
}

#ifdef CSOCK_HAVE_AFALG

/* Bytes of an ALG_SET_IV item's data: struct af_alg_iv then the IV. */
static int
afalg_iv_datalen(size_t ivlen, size_t *out)
{
    const size_t head = offsetof(struct af_alg_iv, iv);

    if (ivlen > UINT32_MAX || ivlen > CSOCK_CMSG_SPACE_MAX - head) {
        return CSOCK_ERR(EOVERFLOW);
    }
    *out = head + ivlen;
    return 0;
}

int
csock_afalg_control_size(const void *iv, size_t ivlen, int has_assoclen,
                         size_t *size)
{
    size_t total = CMSG_SPACE(sizeof(uint32_t));

    if (iv != NULL) {
        size_t datalen;

        if (afalg_iv_datalen(ivlen, &datalen) < 0) {
            return CSOCK_ERR(EOVERFLOW);
        }
        if (CMSG_SPACE(datalen) > CSOCK_CONTROL_MAX - total) {
            return CSOCK_ERR(EOVERFLOW);
        }
        total += CMSG_SPACE(datalen);
    }
    if (has_assoclen) {
        if (CMSG_SPACE(sizeof(uint32_t)) > CSOCK_CONTROL_MAX - total) {
            return CSOCK_ERR(EOVERFLOW);
        }
        total += CMSG_SPACE(sizeof(uint32_t));
    }
    *size = total;
    return 0;
}

int
csock_afalg_control(void *control, size_t controllen, uint32_t op,
                    const void *iv, size_t ivlen, int has_assoclen,
                    uint32_t assoclen)
{
    size_t off = 0;
    int r;

    r = csock_cmsg_put(control, controllen, &off, SOL_ALG, ALG_SET_OP, &op,
                       sizeof(op));
    if (r < 0) {
        return r;
    }
    if (iv != NULL) {
        uint32_t len32;
        size_t datalen;
        unsigned char *p;
        int err = 0;

        r = afalg_iv_datalen(ivlen, &datalen);
        if (r < 0) {
            return r;
        }
        p = reserve(control, controllen, &off, SOL_ALG, ALG_SET_IV, datalen,
                    &err);
        if (p == NULL) {
            return err;
        }
        len32 = (uint32_t)ivlen;
        memcpy(p + offsetof(struct af_alg_iv, ivlen), &len32, sizeof(len32));
        if (ivlen > 0) {
            memcpy(p + offsetof(struct af_alg_iv, iv), iv, ivlen);
        }
    }
    if (has_assoclen) {
        r = csock_cmsg_put(control, controllen, &off, SOL_ALG,
                           ALG_SET_AEAD_ASSOCLEN, &assoclen,
                           sizeof(assoclen));
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

#else /* !CSOCK_HAVE_AFALG */

int
csock_afalg_control_size(const void *iv, size_t ivlen, int has_assoclen,
                         size_t *size)
{
    (void)iv;
    (void)ivlen;
    (void)has_assoclen;
    (void)size;
    return CSOCK_ERR(ENOTSUP);
}

int
csock_afalg_control(void *control, size_t controllen, uint32_t op,
                    const void *iv, size_t ivlen, int has_assoclen,
                    uint32_t assoclen)
{
    (void)control;
    (void)controllen;
    (void)op;
    (void)iv;
    (void)ivlen;
    (void)has_assoclen;
    (void)assoclen;
    return CSOCK_ERR(ENOTSUP);
}

#endif /* CSOCK_HAVE_AFALG */
