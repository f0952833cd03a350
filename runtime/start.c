/*
 * From the kernel's entry to musl's: install our own system-call emulation
 * (the initializer holds its TCB capability), describe a minimal process to
 * musl, and run main.
 */
#include <stddef.h>

#include "cell.h"
#include "runtime.h"

/* The auxiliary vector keys musl reads at start. */
#define AT_NULL 0
#define AT_PAGESZ 6
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_SECURE 23

int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*ldso)(void));
int main(int argc, char **argv, char **envp);
extern char _start[];

const struct boot_info *runtime_boot_info;
const struct cell_info *runtime_cell_info;

static void nothing(void)
{
}

/* argv, then envp's terminator, then the auxiliary vector, as Linux lays them out. */
static uintptr_t process_block[] = {
    0,         0, /* argv[0], NULL */
    0,            /* envp: empty */
    AT_PAGESZ, 4096, AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_SECURE, 0, AT_NULL, 0,
};

_Noreturn void runtime_start(void *info);

/* A cell's program starts once its declared ends and maps are bound (cell.h); musl is set up
 * by then, so a missing one can be reported with printf. */
static int cell_main(int argc, char **argv, char **envp)
{
    runtime_cell_bind();
    return main(argc, argv, envp);
}

/* Either the kernel's boot info (the initializer) or the cell-info page (a cell) arrives in x0. */
_Noreturn void runtime_start(void *info)
{
    const struct boot_info *boot = info;
    const struct cell_info *cell = info;
    if (boot->magic == BOOT_INFO_MAGIC) {
        runtime_boot_info = boot;
        tcb_set_syscall_emulation(INIT_CAP_TCB, (uint64_t)(uintptr_t)_start + 4);
        if (runtime_static_heap)
            runtime_heap_init(runtime_static_heap, RUNTIME_STATIC_HEAP_SIZE);
    } else if (cell->magic == CELL_INFO_MAGIC) {
        runtime_cell_info = cell;
        runtime_heap_init((void *)(uintptr_t)cell->heap_base, cell->heap_size);
        runtime_cell_console_init();
    }
    process_block[0] = (uintptr_t) "cella";
    __libc_start_main(runtime_cell_info ? cell_main : main, 1, (char **)process_block, nothing,
                      nothing, 0);
    runtime_exit(127);
}
