/* ctest.h - a tiny assert header for the core's C tests.  Each test file
 * is its own program: it defines test functions, lists them in main()
 * with CTEST_RUN, and returns ctest_summary(). */
#ifndef CTEST_H
#define CTEST_H

#include <stdio.h>
#include <string.h>

static int ctest_failures;
static int ctest_checks;

#define CHECK(cond)                                                      \
    do {                                                                 \
        ctest_checks++;                                                  \
        if (!(cond)) {                                                   \
            ctest_failures++;                                            \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                    \
        }                                                                \
    } while (0)

#define CHECK_EQ(a, b)                                                   \
    do {                                                                 \
        long long ctest_a_ = (long long)(a), ctest_b_ = (long long)(b);  \
        ctest_checks++;                                                  \
        if (ctest_a_ != ctest_b_) {                                      \
            ctest_failures++;                                            \
            fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, "       \
                    "%s == %lld\n", __FILE__, __LINE__, #a, ctest_a_,    \
                    #b, ctest_b_);                                       \
        }                                                                \
    } while (0)

#define CHECK_STR(a, b)                                                  \
    do {                                                                 \
        const char *ctest_a_ = (a), *ctest_b_ = (b);                     \
        ctest_checks++;                                                  \
        if (strcmp(ctest_a_, ctest_b_) != 0) {                           \
            ctest_failures++;                                            \
            fprintf(stderr, "%s:%d: CHECK_STR failed: \"%s\" != "        \
                    "\"%s\"\n", __FILE__, __LINE__, ctest_a_, ctest_b_); \
        }                                                                \
    } while (0)

#define CTEST_RUN(fn)                                                    \
    do {                                                                 \
        int ctest_before_ = ctest_failures;                              \
        fn();                                                            \
        printf("%s %s\n", ctest_failures == ctest_before_ ? "ok  " :     \
               "FAIL", #fn);                                             \
    } while (0)

static int ctest_summary(const char *name)
{
    printf("%s: %d checks, %d failed\n", name, ctest_checks,
           ctest_failures);
    return ctest_failures ? 1 : 0;
}

#endif
