/*
 * What an object type is, apart from any object: its size, and whether its
 * objects hold capabilities. Pure, so the host tests build it too.
 */
#include <abi/objects.h>
#include <cella/objects.h>

word_t object_size_bits(unsigned type, unsigned user_size_bits)
{
    switch (type) {
    case OBJ_UNTYPED:
        return user_size_bits;
    case OBJ_CNODE:
        return user_size_bits + CNODE_SLOT_SIZE_BITS;
    case OBJ_TCB:
        return TCB_SIZE_BITS;
    case OBJ_ENDPOINT:
        return ENDPOINT_SIZE_BITS;
    case OBJ_NOTIFICATION:
        return NOTIFICATION_SIZE_BITS;
    case OBJ_REPLY:
        return REPLY_SIZE_BITS;
    case OBJ_FRAME_4K:
        return FRAME_4K_SIZE_BITS;
    case OBJ_FRAME_2M:
        return FRAME_2M_SIZE_BITS;
    case OBJ_PAGE_TABLE:
        return PAGE_TABLE_SIZE_BITS;
    case OBJ_VSPACE:
        return VSPACE_SIZE_BITS;
    case OBJ_VCPU:
        return VCPU_SIZE_BITS;
    default:
        return 0;
    }
}

bool cap_is_container(cap_t cap)
{
    return cap_type(cap) == CAP_CNODE || cap_type(cap) == CAP_TCB;
}
