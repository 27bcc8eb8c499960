/* Readiness waiting with a monotonic clock. */
#ifndef CSOCK_WAIT_H
#define CSOCK_WAIT_H

#include <stdint.h>

/* Monotonic time in nanoseconds. */
int64_t csock_monotonic_ns(void);

/* Wait until fd is readable (for_write == 0) or writable (for_write != 0),
 * for at most timeout_ns nanoseconds (< 0: forever).  Returns 1 when ready
 * (also for error/hang-up conditions, so that the next call reports
 * them), 0 when the time ran out, or -errno (-EINTR when interrupted). */
int csock_wait(int fd, int for_write, int64_t timeout_ns);

#endif
