/*
 * fbpattern: draws a known pattern on this persona's screen, so that tests
 * can tell from the pixels whose screen is shown.
 *
 *   fbpattern         draws this persona's pattern (pattern.h): 16-pixel
 *                     squares of the colour its name gives and the
 *                     complement, in turn (the name is the device tree's
 *                     "model", "Cella persona NAME")
 *   fbpattern COLOR   the same in COLOR (0xRRGGBB)
 *
 * The screen is the device tree's simple-framebuffer node (the manifest's
 * display key, docs/manifest.md). It is written through /dev/fb0 when the
 * kernel has a framebuffer driver for it, else through /dev/mem at the
 * node's address. Prints "fbpattern: drew COLOR on WxH through PATH".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pattern.h"

#define NODE "/proc/device-tree/framebuffer@10000000/"
#define MODEL_PREFIX "Cella persona "

static int read_cells(const char *property, uint32_t *cells, int count)
{
    char path[128];
    uint8_t bytes[16];
    snprintf(path, sizeof(path), NODE "%s", property);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, bytes, sizeof(bytes));
    close(fd);
    if (n != count * 4)
        return -1;
    for (int i = 0; i < count; i++)
        cells[i] = (uint32_t)bytes[4 * i] << 24 | (uint32_t)bytes[4 * i + 1] << 16 |
                   (uint32_t)bytes[4 * i + 2] << 8 | bytes[4 * i + 3];
    return 0;
}

/* The colour of this persona's name, from the device tree's model "Cella persona NAME". */
static uint32_t own_color(void)
{
    char model[64] = "";
    int fd = open("/proc/device-tree/model", O_RDONLY);
    if (fd >= 0) {
        ssize_t n = read(fd, model, sizeof(model) - 1);
        model[n > 0 ? n : 0] = '\0';
        close(fd);
    }
    size_t prefix = strlen(MODEL_PREFIX);
    return pattern_color(strncmp(model, MODEL_PREFIX, prefix) == 0 ? model + prefix : model);
}

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: fbpattern [0xRRGGBB]\n");
        return 2;
    }
    uint32_t color = argc == 2 ? (uint32_t)strtoul(argv[1], NULL, 0) & 0xffffff : own_color();
    uint32_t width, height, stride, reg[4];
    if (read_cells("width", &width, 1) || read_cells("height", &height, 1) ||
        read_cells("stride", &stride, 1) || read_cells("reg", reg, 4)) {
        printf("fbpattern: this persona has no screen (no %s)\n", NODE);
        return 1;
    }
    uint64_t base = (uint64_t)reg[0] << 32 | reg[1];
    size_t size = (size_t)stride * height;
    const char *path = "/dev/fb0";
    off_t offset = 0;
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        path = "/dev/mem";
        offset = (off_t)base;
        fd = open(path, O_RDWR | O_SYNC);
    }
    if (fd < 0) {
        printf("fbpattern: cannot open %s: %s\n", path, strerror(errno));
        return 1;
    }
    uint8_t *fb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset);
    if (fb == MAP_FAILED) {
        printf("fbpattern: cannot map %s: %s\n", path, strerror(errno));
        return 1;
    }
    for (uint32_t y = 0; y < height; y++) {
        uint32_t *row = (uint32_t *)(fb + (size_t)y * stride);
        for (uint32_t x = 0; x < width; x++)
            row[x] = pattern_pixel(color, x, y);
    }
    msync(fb, size, MS_SYNC);
    printf("fbpattern: drew %#08" PRIx32 " on %" PRIu32 "x%" PRIu32 " through %s\n", color, width,
           height, path);
    return 0;
}
