/* Runs the one suite linked into this executable; the exit status counts failures. */
#include <stdio.h>

#include "harness.h"

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    for (unsigned i = 0; suite && i < suite_test_count; i++)
        if (!CU_add_test(suite, suite_tests[i].name, suite_tests[i].run))
            suite = NULL;
    if (!suite) {
        fprintf(stderr, "cannot register suite %s: %s\n", suite_name, CU_get_error_msg());
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (ran != suite_test_count) {
        fprintf(stderr, "only %u of %u tests ran\n", ran, suite_test_count);
        return 1;
    }
    return failed ? 1 : 0;
}
