#pragma once

#include <cella/types.h>

uint32_t crc32(const void *data, size_t size);
