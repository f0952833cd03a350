/* Creating the initializer, the first user thread. */
#pragma once

#include <cella/payload.h>

void init_task_create(const struct payload *payload);
