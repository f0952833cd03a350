/* The shape of a host test suite: one per executable, run by main.c under CUnit. */
#pragma once

#include <CUnit/Basic.h>

struct test_case {
    const char *name;
    void (*run)(void);
};

extern const char suite_name[];
extern const struct test_case suite_tests[];
extern const unsigned suite_test_count;

#define TEST(fn)                                                                                   \
    {                                                                                              \
#fn, fn                                                                                    \
    }
#define SUITE(name, ...)                                                                           \
    const char suite_name[] = name;                                                                \
    const struct test_case suite_tests[] = { __VA_ARGS__ };                                        \
    const unsigned suite_test_count = sizeof(suite_tests) / sizeof(suite_tests[0])
