/* Debug-build system calls; a release kernel has none. */
#pragma once

#include <cella/tcb.h>

/* Handles a debug system call; false when the number is not one (or this is a release build). */
bool debug_syscall(struct tcb *t, word_t number);
