/*
 * The user-level runtime every Cella program links: program start, musl's
 * system calls emulated in-process, a heap, console output and exit.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <abi/cell_info.h>
#include <sel4like.h>

/* Set before main runs. */
extern const struct boot_info *runtime_boot_info; /* the initializer's, or NULL in a cell */
extern const struct cell_info *runtime_cell_info; /* a cell's, or NULL in the initializer */

/* Where console output goes (stdout, stderr); a program may redirect it. */
typedef void (*console_write_fn)(const char *text, size_t length);
void runtime_set_console(console_write_fn write);
void runtime_console_write(const char *text, size_t length);
/* A PL011 UART mapped at `registers` becomes the console. */
void pl011_use(void *registers);
void pl011_write(const char *text, size_t length);

/* Sends any partial line now. */
void runtime_console_flush(void);
void runtime_cell_console_init(void);

/* The memory malloc draws from (set by the start code). */
void runtime_heap_init(void *base, size_t size);

/* Initializer-type programs link a static heap (CMake: cella_add_program(... INITIALIZER)). */
extern char runtime_static_heap[] __attribute__((weak));
#define RUNTIME_STATIC_HEAP_SIZE (4u << 20)

/* Ends the program; never returns. */
_Noreturn void runtime_exit(int status);

/* The emulated Linux system calls: what musl needs from the system. */
long emulate_syscall(long a0, long a1, long a2, long a3, long a4, long a5, long number);
