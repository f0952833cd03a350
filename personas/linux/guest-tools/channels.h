/* Links /dev/cella/<channel> and /dev/cella/<server> to the channel device's ports. */
#pragma once

#include <stddef.h>

/* Waits for the ports the device tree lists, links them and describes them in report. */
void link_channels(char *report, size_t size);
