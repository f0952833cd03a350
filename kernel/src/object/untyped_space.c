/*
 * The arithmetic of Untyped_Retype: objects go at the first address at or
 * above the watermark aligned to their size, one after another; revoking
 * everything made from an untyped frees all of it again.
 */
#include <cella/untyped.h>

struct placement untyped_place(word_t base, unsigned size_bits, word_t used, unsigned obj_bits,
                               word_t count)
{
    struct placement p = { false, 0, 0 };
    if (size_bits >= WORD_BITS || obj_bits > size_bits || used > BIT(size_bits) ||
        !range_is_valid(base, BIT(size_bits)))
        return p;
    word_t end = base + BIT(size_bits);
    word_t start = align_up(base + used, obj_bits);
    if (start < base + used || start > end || count > (end - start) >> obj_bits)
        return p;
    p.fits = true;
    p.start = start;
    p.watermark = start - base + (count << obj_bits);
    return p;
}

word_t untyped_used(const struct cte *slot)
{
    return slot_has_children(slot) ? untyped_watermark(slot->cap) : 0;
}
