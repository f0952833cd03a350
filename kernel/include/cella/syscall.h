/* System-call entry. */
#pragma once

#include <cella/util.h>

NORETURN void handle_syscall(void);
NORETURN void handle_foreign_syscall(word_t esr);
NORETURN void handle_emulation_return(word_t esr);
/* The syscall's ESR, for fault messages. */
word_t sysreg_esr(void);
