/* Exception-syndrome decoding used by panics and fault reports. */
#include <string.h>

#include <arch/esr.h>

#include "harness.h"

static void test_class_names(void)
{
    CU_ASSERT_STRING_EQUAL(esr_class_name(EC_UNKNOWN), "Undefined instruction");
    CU_ASSERT_STRING_EQUAL(esr_class_name(EC_DABT_LOWER), "Data abort from a lower EL");
    CU_ASSERT_STRING_EQUAL(esr_class_name(EC_SVC64), "SVC");
    CU_ASSERT_STRING_EQUAL(esr_class_name(0x3f), "Unknown exception class");
}

static void test_field_extraction(void)
{
    uint32_t esr = 0x96000045u; /* data abort at EL2, write, translation fault level 1 */
    CU_ASSERT_EQUAL(ESR_EC(esr), EC_DABT_SAME);
    CU_ASSERT_TRUE((esr & ESR_IL) != 0);
    CU_ASSERT_TRUE((esr & ESR_DABT_WNR) != 0);
    CU_ASSERT_EQUAL(ESR_ABT_FSC(esr), 0x05u);
    CU_ASSERT_TRUE(ESR_FSC_HAS_LEVEL(0x05u));
    CU_ASSERT_EQUAL(ESR_FSC_LEVEL(0x05u), 1u);
}

static void test_fault_status_names(void)
{
    CU_ASSERT_STRING_EQUAL(esr_fault_status_name(0x05), "translation fault");
    CU_ASSERT_STRING_EQUAL(esr_fault_status_name(0x0f), "permission fault");
    CU_ASSERT_STRING_EQUAL(esr_fault_status_name(0x09), "access flag fault");
    CU_ASSERT_STRING_EQUAL(esr_fault_status_name(0x21), "alignment fault");
    CU_ASSERT_STRING_EQUAL(esr_fault_status_name(0x3e), "other fault");
}

SUITE("esr", TEST(test_class_names), TEST(test_field_extraction), TEST(test_fault_status_names));
