"""Python mirror of the C ABI numbers the manifest tool relies on.

The sources of truth are libsel4-like/include/abi/cell_layout.h (where
things live in a native cell's address space), objects.h (kernel object
sizes) and rights.h (capability and mapping rights). The unit test
tests/tools/test_manifest_layout.py parses those headers and fails if any
number here drifts from them.
"""

# cell_layout.h
CELL_NULL_GUARD_END = 0x200000
CELL_PROGRAM_BASE = 0x200000
CELL_INFO_PAGE = 0x10000000
CELL_IPC_BUFFER = 0x10001000
CELL_HEAP_BASE = 0x20000000
CELL_STACK_TOP = 0x30000000
CELL_RESERVED_END = 0x40000000
CELL_VSPACE_END = 1 << 39
CELL_SCREEN_VADDR = 0x4000000000
CELL_SCREEN_STRIDE = 0x10000000
CELL_MAX_SCREENS = 8
CELL_SUPERVISOR_SLOT = 1
CELL_FIRST_FREE_SLOT = 2
CELL_ABI_NOTE_NAME = b"Cella"        # the note's name (a string in crt0.S, not a define)
CELL_ABI_NOTE_TYPE = 1
CELL_ABI_VERSION = 1

# persona_layout.h: a Linux persona's guest-physical address space
PERSONA_RAM_BASE = 0x40000000
PERSONA_DTB_OFFSET = 0x0
PERSONA_KERNEL_OFFSET = 0x200000
PERSONA_INITRD_OFFSET = 0x4000000
PERSONA_DTB_MAX = 0x10000
PERSONA_GICD_BASE = 0x08000000
PERSONA_GICD_SIZE = 0x10000
PERSONA_GICR_BASE = 0x080a0000
PERSONA_MAX_VCPUS = 8
PERSONA_GICR_STRIDE = 0x20000
PERSONA_GICR_SIZE = 0x100000
PERSONA_UART_BASE = 0x09000000
PERSONA_UART_SIZE = 0x1000
PERSONA_UART_SPI = 1
PERSONA_VIRTIO_BASE = 0x0a000000
PERSONA_VIRTIO_SIZE = 0x200
PERSONA_VIRTIO_SPI = 16
PERSONA_VIRTIO_CONSOLE = 0
PERSONA_VIRTIO_BLOCK = 1
PERSONA_VIRTIO_KEYBOARD = 2
PERSONA_VIRTIO_COUNT = 3
PERSONA_SPI_COUNT = 64
PERSONA_FB_BASE = 0x10000000
PERSONA_FB_MAX = 0x4000000
PERSONA_RAM_VMM_VADDR = 0x4000000000
PERSONA_DISK_VMM_VADDR = 0x6000000000

# What the initializer and the runtime can hold (initializer/initializer.h, abi/cell_info.h,
# vmm/virtio_console.c); the tool refuses a manifest beyond them rather than leave it to boot.
INITIALIZER_MAX_SUBJECTS = 64        # MAX_CELLS: cells and personas together
INITIALIZER_MAX_CNODE_RADIX = 16     # a cell's or a VMM's CNode
INITIALIZER_MAX_REGIONS = 64
INITIALIZER_SHARED_FRAMES = 1 << 12  # every region's frames: one CNode of SUB_RADIX
CELL_INFO_MAX_ENDS = 32
CELL_INFO_MAX_MAPS = 16
VMM_MAX_CHANNEL_PORTS = 8            # CHANNEL_PORTS_MAX: a persona's call channels
PERSONA_MAX_MEMORY = 1024 << 21      # MAX_RAM_FRAMES 2 MiB blocks of guest RAM (initializer/personas.c)

# cell_needs.h: the records of what a program needs, in its ELF
CELL_NAME_MAX = 32
CELL_NEEDS_ENDS_SECTION = ".cella.ends"
CELL_NEEDS_MAPS_SECTION = ".cella.maps"
CELL_NEED_OPTIONAL = 1
CELL_MAP_ANY = 0
CELL_MAP_PRIVATE = 1
CELL_MAP_SHARED = 2
CELL_MAP_DEVICE = 3
CELL_NEED_RIGHTS_MAX = 4
CELL_NEED_END_SIZE = 56
CELL_NEED_END_KIND = 32
CELL_NEED_END_FLAGS = 36
CELL_NEED_MAP_SIZE = 72
CELL_NEED_MAP_BACKING = 32
CELL_NEED_MAP_FLAGS = 36
CELL_NEED_MAP_RIGHTS = 40
CELL_NEED_MAP_MIN_SIZE = 48

# objects.h: log2 of each object's size in bytes
TCB_SIZE_BITS = 11
ENDPOINT_SIZE_BITS = 4
NOTIFICATION_SIZE_BITS = 6
REPLY_SIZE_BITS = 5
CNODE_SLOT_SIZE_BITS = 5
FRAME_4K_SIZE_BITS = 12
FRAME_2M_SIZE_BITS = 21
PAGE_TABLE_SIZE_BITS = 12
VSPACE_SIZE_BITS = 12
VCPU_SIZE_BITS = 12
UNTYPED_MIN_SIZE_BITS = 4
UNTYPED_MAX_SIZE_BITS = 47
CNODE_MIN_RADIX = 1
CNODE_MAX_RADIX = 24
VSPACE_ADDRESS_BITS = 39
PRIORITY_MAX = 255

# rights.h
RIGHT_WRITE = 1
RIGHT_READ = 2
RIGHT_GRANT = 4
RIGHT_GRANT_REPLY = 8
VM_READ = 1
VM_WRITE = 2
VM_EXECUTE = 4
VM_ATTR_DEVICE = 1
VM_ATTR_UNCACHED = 2

PAGE_4K = 1 << FRAME_4K_SIZE_BITS
PAGE_2M = 1 << FRAME_2M_SIZE_BITS
# One translation table level resolves 9 bits: an L3 table covers 2 MiB, an L2 table 1 GiB.
L3_SPAN_BITS = FRAME_2M_SIZE_BITS
L2_SPAN_BITS = 30


def object_size(size_bits):
    return 1 << size_bits


def cnode_size(radix):
    return 1 << (radix + CNODE_SLOT_SIZE_BITS)
