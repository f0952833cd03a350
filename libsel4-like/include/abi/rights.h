/*
 * Capability rights. Endpoints: WRITE sends, READ receives, GRANT passes
 * capabilities, GRANT_REPLY lets a Call's reply carry capabilities.
 * Notifications: WRITE signals, READ waits. Frames: READ and WRITE bound
 * the mapping's rights.
 */
#pragma once

#define RIGHT_WRITE 1u
#define RIGHT_READ 2u
#define RIGHT_GRANT 4u
#define RIGHT_GRANT_REPLY 8u
#define RIGHTS_ALL 15u

/* Frame_Map rights and attributes (MR1 and MR2). */
#define VM_READ 1u
#define VM_WRITE 2u
#define VM_EXECUTE 4u
#define VM_ATTR_DEVICE 1u   /* device memory: uncached, no speculation */
#define VM_ATTR_UNCACHED 2u /* normal memory, non-cacheable */
