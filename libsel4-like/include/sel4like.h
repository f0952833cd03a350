/* The Cella user-level system-call library: everything in one include. */
#pragma once

#include <stdbool.h>

#include <abi/bootinfo.h>
#include <abi/error.h>
#include <abi/fault.h>
#include <abi/invocation.h>
#include <abi/objects.h>
#include <abi/rights.h>
#include <sel4like/invocations.h>
#include <sel4like/syscalls.h>
