/* What the architecture's entry code hands to the generic kernel. */
#pragma once

#include <cella/util.h>

/* Linker-script symbols bounding the kernel image. */
extern char __kernel_start[], __text_end[], __rodata_end[], __data_start[], __data_end[];
extern char __text_used_end[], __rodata_used_end[];
extern char __bss_start[], __bss_end[], __kernel_end[];

NORETURN void kernel_main(void);
