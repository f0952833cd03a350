/* Assembler helpers. */
#pragma once
/* Included only by assembly, which clang-format does not understand. */
/* clang-format off */

#define FUNCTION(name) \
    .global name;      \
    .type name, %function; \
    name:

#define END(name) .size name, .- name

/* Address of a symbol within +-4 GiB, independent of where we run. */
.macro adr_l reg, sym
    adrp    \reg, \sym
    add     \reg, \reg, :lo12:\sym
.endm
