/* The table the runner walks (tests.h). */
#include "conformance.h"

#define CONFORMANCE_ENTRY(name, cleanup) { #name, test_##name, cleanup },
const struct test tests[] = { CONFORMANCE_TESTS(CONFORMANCE_ENTRY) };
const unsigned test_count = sizeof(tests) / sizeof(tests[0]);
