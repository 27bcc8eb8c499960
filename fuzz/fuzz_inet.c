/* fuzz_inet.c - libFuzzer harness for the core's strict text <-> binary
 * address conversions (include/csock/inet.h).
 *
 * Three properties on arbitrary bytes:
 *  - no parser reads outside [data, data + size) (ASan: the input is
 *    handed over without a terminating NUL);
 *  - differential: the core agrees with glibc's inet_pton/inet_aton and
 *    inet_ntop on every input, since the stdlib hands its strings to
 *    glibc and csocket promises the same answers byte for byte;
 *  - round trip: text the core accepts formats back to text that parses
 *    to the same bytes. */
#include "csock.h"
#include "csock/inet.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void
check_pton(int af, const char *text, size_t len, const char *cstr,
           int has_nul)
{
    unsigned char ours[16], theirs[16], again[16];
    char buf[CSOCK_INET6_ADDRSTRLEN];
    size_t n = af == AF_INET ? 4 : 16;
    int r = csock_inet_pton(af, text, len, ours);

    if (!has_nul) {
        int g = inet_pton(af, cstr, theirs);

        if ((r == 0) != (g == 1)) {
            abort();
        }
        if (r == 0 && memcmp(ours, theirs, n) != 0) {
            abort();
        }
    }
    else if (r == 0) {
        abort();    /* pton refuses a NUL inside the given length */
    }
    if (r == 0) {
        int k = csock_inet_ntop(af, ours, buf, sizeof(buf));

        if (k < 0 || csock_inet_pton(af, buf, (size_t)k, again) != 0 ||
            memcmp(ours, again, n) != 0) {
            abort();
        }
    }
}

static void
check_ntop(int af, const unsigned char *bin)
{
    char ours[CSOCK_INET6_ADDRSTRLEN], theirs[INET6_ADDRSTRLEN];
    char tiny[8];
    int r = csock_inet_ntop(af, bin, ours, sizeof(ours));

    if (r < 0 || inet_ntop(af, bin, theirs, sizeof(theirs)) == NULL ||
        strcmp(ours, theirs) != 0 || (size_t)r != strlen(ours)) {
        abort();
    }
    /* Too small a buffer: -ENOSPC, never a partial write past it. */
    r = csock_inet_ntop(af, bin, tiny, (size_t)(r < 8 ? r : 7));
    if (r >= 0 && (size_t)r >= sizeof(tiny)) {
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan sees any read past the end. */
    char *text = malloc(size ? size : 1);
    char *cstr = malloc(size + 1);
    unsigned char a4[4], g4[4];
    int has_nul;

    if (text == NULL || cstr == NULL) {
        abort();
    }
    memcpy(text, data, size);
    memcpy(cstr, data, size);
    cstr[size] = '\0';
    has_nul = memchr(data, '\0', size) != NULL;

    check_pton(AF_INET, text, size, cstr, has_nul);
    check_pton(AF_INET6, text, size, cstr, has_nul);

    /* aton: glibc reads a C string and stops at the first NUL. */
    {
        struct in_addr in;
        int r = csock_inet_aton(text, size, a4);
        int g = inet_aton(cstr, &in);

        if ((r == 0) != (g != 0)) {
            abort();
        }
        memcpy(g4, &in, 4);
        if (r == 0 && memcmp(a4, g4, 4) != 0) {
            abort();
        }
    }

    if (size >= 4) {
        check_ntop(AF_INET, data);
    }
    if (size >= 16) {
        check_ntop(AF_INET6, data);
    }
    free(text);
    free(cstr);
    return 0;
}
