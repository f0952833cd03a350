/* The kernel's ELF checker, shared: programs are checked the same way the initializer itself was.
 */
#pragma once

#include <cella/elf.h>
