/*
 * msg.h - sendmsg(2)/recvmsg(2) and their control (ancillary) data.
 *
 * The wrappers make one attempt each and return the byte count or -errno
 * (csock.h).  The control-buffer helpers are plain byte arithmetic with
 * no system calls: they never trust a length they read from a buffer, do
 * not assume the buffer is aligned, and never read or write outside
 * [control, control + controllen), so they can be fed arbitrary bytes
 * (they are meant to be fuzzed).
 */
#ifndef CSOCK_MSG_H
#define CSOCK_MSG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>

/* sendmsg(2) / recvmsg(2), one attempt.  Return bytes or -errno. */
ssize_t csock_sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t csock_recvmsg(int fd, struct msghdr *msg, int flags);

/* Size limits.  Every length the core computes for control data stays
 * within INT_MAX (socklen_t is 32 bits on most systems, and the stdlib
 * uses the same bounds, so the same inputs are refused):
 *   CMSG_LEN(n)   is defined for n <= CSOCK_CMSG_LEN_MAX,
 *   CMSG_SPACE(n) is defined for n <= CSOCK_CMSG_SPACE_MAX (which leaves
 *                 room for the alignment padding), and
 *   a whole control buffer is at most CSOCK_CONTROL_MAX bytes. */
#define CSOCK_CMSG_LEN_MAX   ((size_t)INT_MAX - CMSG_LEN(0))
#define CSOCK_CMSG_SPACE_MAX ((size_t)INT_MAX - CMSG_SPACE(1))
#define CSOCK_CONTROL_MAX    ((size_t)INT_MAX)

/* CMSG_LEN(datalen) / CMSG_SPACE(datalen) into *out.  Return 0, or
 * -EOVERFLOW when datalen is beyond the limits above. */
int csock_cmsg_len(size_t datalen, size_t *out);
int csock_cmsg_space(size_t datalen, size_t *out);

/* Append one control message (level, type, data[0..datalen)) at *offset
 * of a control buffer of controllen bytes, zeroing the alignment padding
 * after the data, and advance *offset by CMSG_SPACE(datalen).  *offset
 * must be a sum of CMSG_SPACE() values (0 for the first item) and
 * control must be suitably aligned for struct cmsghdr when the buffer is
 * handed to the kernel (the helper itself does not need alignment).
 * Returns 0; -EOVERFLOW when datalen is too large; -ENOBUFS when the
 * item does not fit (nothing is written). */
int csock_cmsg_put(void *control, size_t controllen, size_t *offset,
                   int level, int type, const void *data, size_t datalen);

/* One control message found by csock_cmsg_next(). */
typedef struct csock_cmsg {
    int level;                  /* cmsg_level */
    int type;                   /* cmsg_type */
    const unsigned char *data;  /* points into the control buffer */
    size_t len;                 /* data bytes present in the buffer */
    int truncated;              /* 1: cmsg_len claims more data than the
                                   buffer holds; len is what there is */
} csock_cmsg;

/* Walk the control messages of a received buffer (control, controllen:
 * msg_controllen as the kernel returned it).  *pos starts at 0.
 * Returns 1 with *item filled and *pos advanced; 0 at the end (also when
 * fewer bytes than a whole header remain); -EBADMSG when the header at
 * *pos claims a length shorter than a header (the walk cannot go on).
 * A truncated item (item->truncated) is the last one: *pos is moved to
 * the end. */
int csock_cmsg_next(const void *control, size_t controllen, size_t *pos,
                    csock_cmsg *item);

/* Close every descriptor carried in the SOL_SOCKET/SCM_RIGHTS messages
 * of a received control buffer (complete ints only; a partial int at
 * the end of a truncated item is not a descriptor).  Used when an error
 * after recvmsg() means the caller will never see them.  Returns the
 * number of descriptors closed. */
int csock_cmsg_close_fds(const void *control, size_t controllen);

/* Descriptors in a buffer of SCM_RIGHTS data: the number of complete
 * ints in len bytes, and the i-th of them (read without assuming
 * alignment). */
size_t csock_cmsg_fd_count(size_t len);
int csock_cmsg_fd_at(const unsigned char *data, size_t i);

/* AF_ALG (Linux kernel crypto API) control data for sendmsg_afalg():
 * ALG_SET_OP, then ALG_SET_IV when iv is not NULL, then
 * ALG_SET_AEAD_ASSOCLEN when has_assoclen.  csock_afalg_control_size()
 * computes the buffer size (0 or -EOVERFLOW); csock_afalg_control()
 * fills a buffer of that size (0, or -ENOBUFS / -EOVERFLOW).  Both
 * return -ENOTSUP where the platform has no AF_ALG headers. */
int csock_afalg_control_size(const void *iv, size_t ivlen, int has_assoclen,
                             size_t *size);
int csock_afalg_control(void *control, size_t controllen, uint32_t op,
                        const void *iv, size_t ivlen, int has_assoclen,
                        uint32_t assoclen);

#endif
