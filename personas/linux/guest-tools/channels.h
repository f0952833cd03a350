/* Links /dev/cella/<channel> and /dev/cella/<server> to the channel device's ports. */
#pragma once

#include <stddef.h>

/*
 * Waits for the ports the device tree lists, links them (again, if the
 * device has been unbound and bound since) and describes them in report.
 */
void link_channels(char *report, size_t size);

/* The device of this persona's (first) channel to the cell named server: 0, or -1 if none. */
int channel_device(const char *server, char *path, size_t size);
