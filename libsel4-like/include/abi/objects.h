/* Kernel object types, as named to Untyped_Retype, and their sizes. */
#pragma once

#define OBJ_UNTYPED 1
#define OBJ_TCB 2
#define OBJ_ENDPOINT 3
#define OBJ_NOTIFICATION 4
#define OBJ_CNODE 5
#define OBJ_REPLY 6
#define OBJ_FRAME_4K 7
#define OBJ_FRAME_2M 8
#define OBJ_PAGE_TABLE 9
#define OBJ_VSPACE 10
#define OBJ_VCPU 11
#define OBJ_TYPE_COUNT 12

/* log2 of each object's size in bytes. CNodes and Untypeds take a size argument. */
#define TCB_SIZE_BITS 11
#define ENDPOINT_SIZE_BITS 4     /* head and tail of its queue */
#define NOTIFICATION_SIZE_BITS 6 /* 64 bytes: the word, waiters, bound TCB and a timer */
#define REPLY_SIZE_BITS 5
#define CNODE_SLOT_SIZE_BITS 5 /* a CNode of radix r takes 2^(r + 5) bytes */
#define FRAME_4K_SIZE_BITS 12
#define FRAME_2M_SIZE_BITS 21
#define PAGE_TABLE_SIZE_BITS 12
#define VSPACE_SIZE_BITS 12
#define VCPU_SIZE_BITS 12

#define UNTYPED_MIN_SIZE_BITS 4
#define UNTYPED_MAX_SIZE_BITS 47
#define CNODE_MIN_RADIX 1
#define CNODE_MAX_RADIX 24
#define RETYPE_MAX_OBJECTS 256

/* Capability types, as DebugCapIdentify reports them: object types plus these. */
#define CAP_NULL 0
#define CAP_IRQ_CONTROL 16
#define CAP_IRQ_HANDLER 17

/* Native VSpaces translate 39-bit addresses (stage 2, starting at level 1). */
#define VSPACE_ADDRESS_BITS 39

/* Thread priorities. */
#define PRIORITY_LEVELS 256
#define PRIORITY_MAX 255
