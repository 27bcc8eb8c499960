/*
 * sendfile.c - zero-copy file-to-socket transfer, and the fstat(2) the
 * caller needs to decide whether the zero-copy path applies at all.
 *
 * Only Linux's sendfile(2) is used: it takes an explicit offset and
 * leaves the file position alone, which is the contract the binding's
 * socket.sendfile() relies on.  The BSD and macOS calls have another
 * shape (the byte count comes back through a pointer, also on EAGAIN);
 * until someone can build and test them there, those platforms get
 * -ENOSYS and the binding falls back to plain send().
 */
/* 64-bit offsets on 32-bit glibc too (sendfile64, fstat64), as CPython
 * builds itself; a no-op on 64-bit systems. */
#ifndef _FILE_OFFSET_BITS
#define _FILE_OFFSET_BITS 64
#endif
#include "csock.h"
#include "csock/sendfile.h"

#include <errno.h>
#include <sys/stat.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

ssize_t
csock_sendfile(int out_fd, int in_fd, int64_t *offset, size_t count)
{
#ifdef __linux__
    off_t off = (off_t)*offset;
    ssize_t n;

    /* off_t is 64 bits on every Linux ABI CPython supports with
     * _FILE_OFFSET_BITS=64; an offset it cannot hold is invalid. */
    if ((int64_t)off != *offset) {
        return CSOCK_ERR(EOVERFLOW);
    }
    n = sendfile(out_fd, in_fd, &off, count);
    if (n < 0) {
        return CSOCK_ERR(errno);
    }
    *offset = (int64_t)off;
    return n;
#else
    (void)out_fd;
    (void)in_fd;
    (void)offset;
    (void)count;
    return CSOCK_ERR(ENOSYS);
#endif
}

int
csock_file_size(int fd, int64_t *size)
{
    struct stat st;

    if (fstat(fd, &st) < 0) {
        return CSOCK_ERR(errno);
    }
    *size = (int64_t)st.st_size;
    return 0;
}
