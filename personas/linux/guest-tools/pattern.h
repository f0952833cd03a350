/*
 * A persona's test pattern (fbpattern draws it; tests look for it): 16-pixel
 * squares of the persona's colour and its complement, the top-left square
 * the colour. The colour comes from the persona's name (FNV-1a, 24 bits), so
 * whoever knows whose screen it is knows what to expect, with nothing passed.
 * tests/system/display/pixels.py computes the same.
 */
#pragma once

#include <stdint.h>

#define PATTERN_SQUARE 16

static inline uint32_t pattern_color(const char *persona)
{
    uint32_t hash = 2166136261u;
    for (const char *c = persona; *c; c++)
        hash = (hash ^ (uint8_t)*c) * 16777619u;
    return hash & 0xffffff;
}

static inline uint32_t pattern_pixel(uint32_t color, uint32_t x, uint32_t y)
{
    return ((x / PATTERN_SQUARE + y / PATTERN_SQUARE) % 2 == 0) ? color : ~color & 0xffffff;
}
