/* The kernel's formatter against the C library's printf, conversion by conversion. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cella/format.h>

#include "harness.h"

#define CHECK_LIKE_LIBC(fmt, ...)                                                                  \
    do {                                                                                           \
        char ours[128], theirs[128];                                                               \
        int n = format_string(ours, sizeof(ours), fmt, __VA_ARGS__);                               \
        int m = snprintf(theirs, sizeof(theirs), fmt, __VA_ARGS__);                                \
        CU_ASSERT_STRING_EQUAL(ours, theirs);                                                      \
        CU_ASSERT_EQUAL(n, m);                                                                     \
    } while (0)

static void test_integers(void)
{
    CHECK_LIKE_LIBC("%d|%i|%u", 0, -1, 4000000000u);
    CHECK_LIKE_LIBC("%d %d", INT32_MIN, INT32_MAX);
    CHECK_LIKE_LIBC("%ld %lu", (long)INT64_MIN, (unsigned long)UINT64_MAX);
    CHECK_LIKE_LIBC("%lld|%llu", -5LL, 5ULL);
    CHECK_LIKE_LIBC("%zu", (size_t)123456789);
}

static void test_hex(void)
{
    CHECK_LIKE_LIBC("%x %X", 0xdeadbeefu, 0xdeadbeefu);
    CHECK_LIKE_LIBC("%lx", 0x123456789abcdef0UL);
    CHECK_LIKE_LIBC("%016lx", 0x1234UL);
    CHECK_LIKE_LIBC("%08x", 0u);
    CHECK_LIKE_LIBC("%#x %#X %#x", 0x25u, 0xabu, 0u);
    CHECK_LIKE_LIBC("[%#10lx][%#010lx][%-#8x]", 0x1234UL, 0x1234UL, 0xfu);
}

static void test_width_and_flags(void)
{
    CHECK_LIKE_LIBC("[%5d][%-5d][%05d]", 42, 42, 42);
    CHECK_LIKE_LIBC("[%5d][%-5d][%05d]", -42, -42, -42);
    CHECK_LIKE_LIBC("[%10s][%-10s]", "abc", "abc");
    CHECK_LIKE_LIBC("[%3c][%-3c]", 'x', 'y');
    CHECK_LIKE_LIBC("[%-2u]", 123u);
    CHECK_LIKE_LIBC("[%1s]", "longer than the width");
}

static void test_strings_and_chars(void)
{
    CHECK_LIKE_LIBC("%s and %c", "text", '!');
    CHECK_LIKE_LIBC("100%% %s", "");
}

static void test_pointer(void)
{
    char ours[64];
    format_string(ours, sizeof(ours), "%p", (void *)0x40200000UL);
    CU_ASSERT_STRING_EQUAL(ours, "0x40200000");
}

/* The next tests feed the formatter what the compiler would reject at a call site. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wpragmas"

static void test_null_string(void)
{
    char ours[32];
    const char *none = NULL;
    format_string(ours, sizeof(ours), "%s", none);
    CU_ASSERT_STRING_EQUAL(ours, "(null)");
}

static void test_truncation(void)
{
    char buf[8];
    memset(buf, 'z', sizeof(buf));
    int n = format_string(buf, 5, "%s", "abcdefgh");
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_STRING_EQUAL(buf, "abcd");
    CU_ASSERT_EQUAL(buf[5], 'z'); /* nothing written past the given size */
    CU_ASSERT_EQUAL(format_string(buf, 0, "abc"), 3);
    CU_ASSERT_EQUAL(buf[0], 'a');
}

static void test_unknown_conversion_is_shown(void)
{
    char buf[32];
    format_string(buf, sizeof(buf), "a%qb");
    CU_ASSERT_STRING_EQUAL(buf, "a%qb");
    format_string(buf, sizeof(buf), "trailing %");
    CU_ASSERT_STRING_EQUAL(buf, "trailing ");
}

#pragma GCC diagnostic pop

SUITE("format", TEST(test_integers), TEST(test_hex), TEST(test_width_and_flags),
      TEST(test_strings_and_chars), TEST(test_pointer), TEST(test_null_string),
      TEST(test_truncation), TEST(test_unknown_conversion_is_shown));
