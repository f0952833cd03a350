/*
 * Reading the boot spec (docs/bootspec.md). Nothing in it is used before
 * every size, offset, index and string has been checked, so a damaged or
 * hostile spec gets a clear refusal instead of a wild access.
 */
#include <string.h>

#include <sel4like/crc32.h>

#include "initializer.h"

static const struct bootspec_section *section(const uint8_t *base, const struct bootspec_header *h,
                                              uint32_t type)
{
    for (uint32_t i = 0; i < h->section_count; i++) {
        const struct bootspec_section *s =
            (const void *)(base + sizeof(*h) + (uint64_t)i * h->section_entry_size);
        if (s->type == type)
            return s;
    }
    return NULL;
}

/* Locates a section of records of at least min_size bytes; NULL result means "fine". */
static const char *records(const uint8_t *base, const struct bootspec_header *h, uint32_t type,
                           uint32_t min_size, const void **out, uint32_t *count, uint32_t *stride)
{
    const struct bootspec_section *s = section(base, h, type);
    if (!s)
        return "a section is missing";
    if (s->entry_size < min_size || s->offset % BOOTSPEC_ALIGN)
        return "a section has records too small or misaligned";
    if ((uint64_t)s->count * s->entry_size > h->total_size - (uint64_t)s->offset ||
        s->offset > h->total_size)
        return "a section runs past the end of the spec";
    *out = base + s->offset;
    *count = s->count;
    *stride = s->entry_size;
    return NULL;
}

const char *spec_string(const struct spec *spec, uint32_t offset)
{
    return offset < spec->strings_size ? spec->strings + offset : "";
}

const struct bootspec_cell *spec_cell(const struct spec *spec, uint32_t i)
{
    return (const void *)((const uint8_t *)spec->cells + (uint64_t)i * spec->cell_stride);
}

const struct bootspec_region *spec_region(const struct spec *spec, uint32_t i)
{
    return (const void *)((const uint8_t *)spec->regions + (uint64_t)i * spec->region_stride);
}

const struct bootspec_map *spec_map(const struct spec *spec, uint32_t i)
{
    return (const void *)((const uint8_t *)spec->maps + (uint64_t)i * spec->map_stride);
}

const struct bootspec_persona *spec_persona(const struct spec *spec, uint32_t i)
{
    return (const void *)((const uint8_t *)spec->personas + (uint64_t)i * spec->persona_stride);
}

const struct bootspec_screen *spec_screen(const struct spec *spec, uint32_t i)
{
    return (const void *)((const uint8_t *)spec->screens + (uint64_t)i * spec->screen_stride);
}

const struct bootspec_end *spec_end(const struct spec *spec, uint32_t i)
{
    return (const void *)((const uint8_t *)spec->ends + (uint64_t)i * spec->end_stride);
}

static bool string_ok(const struct spec *spec, uint32_t offset, size_t max)
{
    if (offset >= spec->strings_size)
        return false;
    size_t len = strnlen(spec->strings + offset, spec->strings_size - offset);
    return offset + len < spec->strings_size && len < max;
}

static bool range_ok(uint32_t first, uint32_t count, uint32_t total)
{
    return first <= total && count <= total - first;
}

static const char *check_cells(const struct spec *spec)
{
    for (uint32_t i = 0; i < spec->cell_count; i++) {
        const struct bootspec_cell *c = spec_cell(spec, i);
        if (!string_ok(spec, c->name, CELL_NAME_MAX) || !string_ok(spec, c->program, 40))
            return "a cell's name or program is not a valid string";
        if (!range_ok(c->first_map, c->map_count, spec->map_count) ||
            !range_ok(c->first_end, c->end_count, spec->end_count))
            return "a cell's maps or ends lie outside their sections";
        if (c->cnode_radix < 4 || c->cnode_radix > MAX_CNODE_RADIX || c->stack_size % 4096 ||
            c->heap_size % 4096 || c->stack_size == 0 || c->restart > BOOTSPEC_RESTART_LIMITED)
            return "a cell's CNode size, stack, heap or restart policy is out of range";
        if (c->map_count > CELL_INFO_MAX_MAPS || c->end_count > CELL_INFO_MAX_ENDS)
            return "a cell has more maps or ends than its info page can list";
    }
    return NULL;
}

static const char *check_maps_and_ends(const struct spec *spec)
{
    for (uint32_t i = 0; i < spec->map_count; i++) {
        const struct bootspec_map *m = spec_map(spec, i);
        if ((m->page_bits != 12 && m->page_bits != 21) || m->size == 0 ||
            (m->vaddr | m->size) & ((1UL << m->page_bits) - 1) ||
            !string_ok(spec, m->name, CELL_NAME_MAX))
            return "a map is not page aligned, or has a bad name";
        if (m->kind == BOOTSPEC_MAP_SHARED && m->region >= spec->region_count)
            return "a map names a region that does not exist";
        if (m->kind < BOOTSPEC_MAP_PRIVATE || m->kind > BOOTSPEC_MAP_DEVICE)
            return "a map has an unknown kind";
    }
    for (uint32_t i = 0; i < spec->end_count; i++) {
        const struct bootspec_end *e = spec_end(spec, i);
        if (!string_ok(spec, e->name, CELL_NAME_MAX) || e->kind < BOOTSPEC_END_CALL_CLIENT ||
            e->kind > BOOTSPEC_END_IRQ)
            return "an end has a bad name or kind";
        if (e->kind != BOOTSPEC_END_IRQ && e->peer_kind == BOOTSPEC_SUBJECT_CELL &&
            e->peer >= spec->cell_count)
            return "an end names a cell that does not exist";
        if (e->kind != BOOTSPEC_END_IRQ && e->peer_kind == BOOTSPEC_SUBJECT_PERSONA &&
            e->peer >= spec->persona_count)
            return "an end names a persona that does not exist";
    }
    return NULL;
}

uint32_t spec_persona_disk(const struct spec *spec, const struct bootspec_persona *p)
{
    if (spec->persona_stride < sizeof(struct bootspec_persona) || p->disk == 0)
        return SPEC_NONE;
    return p->disk - 1;
}

uint16_t spec_persona_restart_limit(const struct spec *spec, const struct bootspec_persona *p)
{
    return spec->persona_stride < sizeof(struct bootspec_persona) ? 0 : p->restart_limit;
}

static const char *check_personas(const struct spec *spec)
{
    for (uint32_t i = 0; i < spec->persona_count; i++) {
        const struct bootspec_persona *p = spec_persona(spec, i);
        if (!string_ok(spec, p->name, CELL_NAME_MAX) || !string_ok(spec, p->kernel, 40) ||
            !string_ok(spec, p->initramfs, 40) || !string_ok(spec, p->bootargs, 1024))
            return "a persona's name or files are not valid strings";
        if (!range_ok(p->first_end, p->end_count, spec->end_count) ||
            p->end_count > CELL_INFO_MAX_ENDS || p->memory_size % (2UL << 20) ||
            p->memory_size == 0 || p->cnode_radix > MAX_CNODE_RADIX ||
            p->restart > BOOTSPEC_RESTART_LIMITED)
            return "a persona's ends, memory, CNode size or restart policy are out of range";
        uint32_t disk = spec_persona_disk(spec, p);
        if (disk != SPEC_NONE && disk >= spec->region_count)
            return "a persona's disk names a region that does not exist";
    }
    return NULL;
}

/* Each screen's framebuffer is a region that its display cell and its persona both map. */
static const char *check_screens(const struct spec *spec)
{
    uint32_t per_cell[MAX_CELLS] = { 0 };
    for (uint32_t i = 0; i < spec->screen_count; i++) {
        const struct bootspec_screen *s = spec_screen(spec, i);
        if (s->persona >= spec->persona_count || s->cell >= spec->cell_count ||
            s->cell >= MAX_CELLS || s->region >= spec->region_count)
            return "a screen names a persona, cell or region that does not exist";
        if (s->format != BOOTSPEC_SCREEN_XRGB8888 || s->width == 0 || s->height == 0 ||
            s->stride < 4u * s->width || s->stride > UINT16_MAX ||
            (uint64_t)s->stride * s->height > spec_region(spec, s->region)->size)
            return "a screen's size or format does not fit its framebuffer";
        if (++per_cell[s->cell] > CELL_MAX_SCREENS)
            return "a cell shows more screens than its info page can list";
    }
    return NULL;
}

/* An optional section: absent (a writer older than its version) means no records. */
static const char *optional_records(const uint8_t *base, const struct bootspec_header *h,
                                    uint32_t type, uint32_t min_size, const void **out,
                                    uint32_t *count, uint32_t *stride)
{
    if (!section(base, h, type)) {
        *out = NULL;
        *count = *stride = 0;
        return NULL;
    }
    return records(base, h, type, min_size, out, count, stride);
}

const char *spec_load(struct spec *spec, const void *data, uint64_t size)
{
    const uint8_t *base = data;
    const struct bootspec_header *h = data;
    if (size < sizeof(*h) || memcmp(h->magic, BOOTSPEC_MAGIC, 8) != 0)
        return "not a boot spec";
    if (h->version_major != BOOTSPEC_VERSION_MAJOR)
        return "unsupported major version";
    if (h->total_size > size || h->total_size < sizeof(*h) || h->section_entry_size < 16 ||
        sizeof(*h) + (uint64_t)h->section_count * h->section_entry_size > h->total_size)
        return "sizes in the header are inconsistent";
    if (crc32(base + BOOTSPEC_CRC_START, h->total_size - BOOTSPEC_CRC_START) != h->crc32)
        return "checksum mismatch";
    *spec = (struct spec){ .base = base, .size = h->total_size };
    const char *why;
    uint32_t stride;
    const void *strings;
    if ((why =
             records(base, h, BOOTSPEC_SECTION_STRINGS, 1, &strings, &spec->strings_size, &stride)))
        return why;
    spec->strings = strings;
    if (spec->strings_size == 0 || spec->strings[spec->strings_size - 1] != '\0')
        return "the string table is not terminated";
    const void *p;
    if ((why = records(base, h, BOOTSPEC_SECTION_CELLS, sizeof(struct bootspec_cell), &p,
                       &spec->cell_count, &spec->cell_stride)))
        return why;
    spec->cells = p;
    if ((why = records(base, h, BOOTSPEC_SECTION_REGIONS, sizeof(struct bootspec_region), &p,
                       &spec->region_count, &spec->region_stride)))
        return why;
    spec->regions = p;
    if (spec->region_count > MAX_REGIONS)
        return "more regions than the initializer can hold";
    if ((why = records(base, h, BOOTSPEC_SECTION_CHANNELS, sizeof(struct bootspec_channel), &p,
                       &spec->channel_count, &spec->channel_stride)))
        return why;
    spec->channels = p;
    if ((why = records(base, h, BOOTSPEC_SECTION_MAPS, sizeof(struct bootspec_map), &p,
                       &spec->map_count, &spec->map_stride)))
        return why;
    spec->maps = p;
    if ((why = records(base, h, BOOTSPEC_SECTION_ENDS, sizeof(struct bootspec_end), &p,
                       &spec->end_count, &spec->end_stride)))
        return why;
    spec->ends = p;
    if ((why = records(base, h, BOOTSPEC_SECTION_PERSONAS, BOOTSPEC_PERSONA_MIN_SIZE, &p,
                       &spec->persona_count, &spec->persona_stride)))
        return why;
    spec->personas = p;
    if ((why = optional_records(base, h, BOOTSPEC_SECTION_SCREENS, sizeof(struct bootspec_screen),
                                &p, &spec->screen_count, &spec->screen_stride)))
        return why;
    spec->screens = p;
    if ((why = check_cells(spec)) || (why = check_maps_and_ends(spec)) ||
        (why = check_personas(spec)) || (why = check_screens(spec)))
        return why;
    if (!string_ok(spec, h->system_name, 256))
        return "the system name is not a valid string";
    spec->system_name = spec_string(spec, h->system_name);
    return NULL;
}
