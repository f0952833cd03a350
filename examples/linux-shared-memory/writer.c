/* Writes a note for the persona into the shared region "notes": a magic word, then text. */
#include <stdio.h>
#include <string.h>

#include "writer.cell.h" /* MAP_NOTES (system.toml) */

#define NOTE_MAGIC 0x4c4c4543u /* "CELL" */

int main(void)
{
    volatile uint32_t *notes = MAP_NOTES->base;
    uint64_t size = MAP_NOTES->size;
    static const char text[] = "hello from a cell";
    memcpy((char *)notes + 8, text, sizeof(text));
    notes[1] = sizeof(text) - 1;
    notes[0] = NOTE_MAGIC; /* last: a reader that sees the magic sees the text */
    printf("wrote a note of %u bytes into %lu bytes of shared memory\n",
           (unsigned)(sizeof(text) - 1), (unsigned long)size);
    return 0;
}
