/*
 * A cell whose manifest does not give it what its program declares it needs
 * (cell.h). cella-manifest refuses such a manifest; this image is packed by
 * hand around the check (CMakeLists.txt) to show what the runtime does when
 * one boots anyway: it names each missing end and map and stops the cell
 * before main, and the supervisor does not restart it.
 */
#include <stdio.h>

#include <cell.h>

#ifndef UNMET_DECLARES_NOTHING
CELL_CALLS(CH_STORAGE, "unmet_storage");
CELL_MAP(MAP_KEYS, "keys", CELL_MAP_PRIVATE, "rw", 8192);
#endif
CELL_CALLS_OPTIONAL(CH_LOG, "unmet_log"); /* optional: its absence is no reason to stop */

int main(void)
{
    printf("FAIL: main ran without the ends and maps the program needs\n");
    return 1;
}
