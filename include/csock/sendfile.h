/* Zero-copy file-to-socket transfer.  See csock.h for the return
 * convention (>= 0 success, -errno failure). */
#ifndef CSOCK_SENDFILE_H
#define CSOCK_SENDFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One sendfile(2) attempt: copy up to count bytes of in_fd, starting at
 * *offset, to the socket out_fd, without touching in_fd's file position.
 * Advances *offset by the bytes sent and returns their number (0 at end
 * of file), or -errno (-EAGAIN when a non-blocking socket is full,
 * -EINTR, -EINVAL for a descriptor sendfile cannot read from, ...).
 * Where the platform has no usable sendfile(2) it returns -ENOSYS, so a
 * caller can fall back to read()/send(). */
ssize_t csock_sendfile(int out_fd, int in_fd, int64_t *offset,
                       size_t count);

/* The size of the file open on fd, from fstat(2) (0 for pipes, sockets
 * and other files without one).  Returns 0 or -errno. */
int csock_file_size(int fd, int64_t *size);

#endif
