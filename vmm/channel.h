/* Calls on a persona's channels, made for guest user space (abi/channel_device.h). */
#pragma once

#include <abi/channel_device.h>

#include "vmm.h"

/*
 * Checks the request (size bytes, 8-byte aligned), makes the call on the
 * end's channel and writes the reply frame; returns the reply's size.
 */
uint32_t channel_call(const struct cell_info_end *end, const void *request, uint64_t size,
                      struct channel_frame *reply);
