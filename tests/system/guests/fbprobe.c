/*
 * A display cell in miniature, for the framebuffer test: it watches each
 * screen its info page lists (the personas' framebuffers, mapped read-only)
 * until the whole screen holds the persona's pattern (pattern.h, drawn by
 * fbpattern inside the persona), then says so once per screen:
 *
 *   fbprobe: screen work 800x480 (stride 3200): the persona's pattern, colour 0x123456
 *
 * It runs below the personas and yields between looks, so it only takes
 * what they leave.
 */
#include <stdio.h>

#include <cell.h>

#include "pattern.h"

static uint64_t ticks(void)
{
    uint64_t t;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
    return t;
}

static uint64_t frequency(void)
{
    uint64_t hz;
    __asm__ volatile("mrs %0, cntfrq_el0" : "=r"(hz));
    return hz ? hz : 1;
}

static bool shows_pattern(const struct cell_info_screen *s)
{
    const uint8_t *fb = (const uint8_t *)(uintptr_t)s->vaddr;
    uint32_t color = pattern_color(s->persona);
    for (uint32_t y = 0; y < s->height; y++) {
        const volatile uint32_t *row = (const volatile uint32_t *)(fb + (uint64_t)y * s->stride);
        for (uint32_t x = 0; x < s->width; x++)
            if ((row[x] & 0xffffff) != pattern_pixel(color, x, y))
                return false;
    }
    return true;
}

int main(void)
{
    unsigned count = 0;
    while (cell_screen(count))
        count++;
    printf("fbprobe: %u screens\n", count);
    bool seen[CELL_MAX_SCREENS] = { false };
    unsigned left = count;
    uint64_t next = 0, step = frequency() / 10;
    while (left > 0) {
        if (ticks() < next) {
            sys_yield();
            continue;
        }
        next = ticks() + step;
        for (unsigned i = 0; i < count; i++) {
            const struct cell_info_screen *s = cell_screen(i);
            if (seen[i] || !shows_pattern(s))
                continue;
            seen[i] = true;
            left--;
            printf("fbprobe: screen %s %ux%u (stride %u): the persona's pattern, colour %#08x\n",
                   s->persona, s->width, s->height, s->stride, pattern_color(s->persona));
        }
    }
    printf("fbprobe: every screen shows its persona's pattern\n");
    return 0;
}
