/*
 * wait.c - readiness waiting against a monotonic clock.
 */
#include "csock.h"

#include <errno.h>
#include <poll.h>
#include <time.h>

int64_t
csock_monotonic_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
csock_wait(int fd, int for_write, int64_t timeout_ns)
{
    struct pollfd p;
    int ms;
    int r;

    p.fd = fd;
    p.events = for_write ? POLLOUT : POLLIN;
    p.revents = 0;
    if (timeout_ns < 0) {
        ms = -1;
    }
    else {
        /* Round up: waking early would only cost another round. */
        int64_t t = (timeout_ns + 999999) / 1000000;
        ms = t > 0x7fffffff ? 0x7fffffff : (int)t;
    }
    r = poll(&p, 1, ms);
    if (r < 0) {
        return CSOCK_ERR(errno);
    }
    /* POLLERR/POLLHUP/POLLNVAL count as ready: the next attempt reports
     * the condition through its own errno. */
    return r > 0 ? 1 : 0;
}
