/*
 * The persona's keyboard: a virtio-input device (virtio 1.2, section 5.8)
 * fed by the input cell, when the manifest gives the persona a keyboard
 * (its `keyboard` key). The input cell gives the persona the keys typed
 * while its screen is shown, and no others: it signals "<persona>_keys" when
 * some are waiting, and this VMM fetches them with INPUT_READ over
 * "<persona>_kbd" (cells/common/screen_protocol.h), then writes each as an
 * evdev event, followed by a SYN_REPORT, into the buffers the guest's driver
 * gave the event queue. Keys the guest has no buffers for wait here, up to
 * PENDING_MAX; beyond that the oldest are dropped, as a keyboard's buffer
 * would. The guest never sees the input cell, only the keys.
 */
#include <stdio.h>
#include <string.h>

#include <abi/persona_layout.h>

#include "screen_protocol.h"
#include "virtio.h"

#define VIRTIO_ID_INPUT 18
#define EVENT_QUEUE 0
#define STATUS_QUEUE 1
#define PENDING_MAX 128
#define KEY_CODES 256 /* codes 0-255: every key of a PC keyboard */

/* struct virtio_input_config: select, subsel, size, reserved[5], then 128 bytes. */
enum { CFG_UNSET = 0, CFG_ID_NAME = 1, CFG_ID_SERIAL = 2, CFG_ID_DEVIDS = 3, CFG_EV_BITS = 0x11 };
#define CONFIG_DATA 8
#define CONFIG_SIZE (CONFIG_DATA + 128)

struct input_event {
    uint16_t type, code;
    uint32_t value;
};

static struct virtq queues[2];
static struct virtio_device device;
static const struct cell_info_end *keys_ready, *keys_channel;
static struct input_event pending[PENDING_MAX];
static unsigned pending_head, pending_tail;
static unsigned long dropped;
static uint8_t select_, subsel;
static uint8_t config[CONFIG_SIZE];

static void queue_event(uint16_t type, uint16_t code, uint32_t value)
{
    if (pending_tail - pending_head == PENDING_MAX) {
        pending_head++; /* the oldest goes */
        if (++dropped == 1)
            printf("vmm: persona '%s' keyboard: the guest takes no keys; dropping the oldest\n",
                   persona_name);
    }
    pending[pending_tail++ % PENDING_MAX] = (struct input_event){ type, code, value };
}

/* Writes waiting events into the guest's event buffers, one event a buffer. */
static void deliver(void)
{
    bool moved = false;
    while (pending_head != pending_tail) {
        struct vchain c;
        if (virtq_pop(&device, EVENT_QUEUE, &c) != 1)
            break;
        struct input_event e = pending[pending_head++ % PENDING_MAX];
        virtq_push(&device, EVENT_QUEUE, c.head, vchain_write(&c, &e, sizeof(e)));
        moved = true;
    }
    if (moved)
        virtio_interrupt(&device);
}

/* The LED state and the like the guest sends back: taken and dropped. */
static void drain_status(void)
{
    struct vchain c;
    bool moved = false;
    while (virtq_pop(&device, STATUS_QUEUE, &c) == 1) {
        virtq_push(&device, STATUS_QUEUE, c.head, 0);
        moved = true;
    }
    if (moved)
        virtio_interrupt(&device);
}

static void notify(struct virtio_device *d, unsigned queue)
{
    (void)d;
    if (queue == EVENT_QUEUE)
        deliver();
    else if (queue == STATUS_QUEUE)
        drain_status();
}

static void reset(struct virtio_device *d)
{
    (void)d;
    pending_head = pending_tail = 0; /* a driver that starts again gets no stale keys */
}

/* What the driver finds at (select, subsel): a name, IDs, and which event types and keys exist. */
static void fill_config(void)
{
    memset(config, 0, sizeof(config));
    config[0] = select_;
    config[1] = subsel;
    uint8_t *data = config + CONFIG_DATA;
    size_t size = 0;
    if (select_ == CFG_ID_NAME) {
        size = (size_t)snprintf((char *)data, 128, "Cella keyboard");
    } else if (select_ == CFG_ID_SERIAL) {
        size = (size_t)snprintf((char *)data, 128, "cella-%s", persona_name);
    } else if (select_ == CFG_ID_DEVIDS) {
        static const uint16_t ids[4] = { 0x06 /* BUS_VIRTUAL */, 0x1af4, 0x0001, 0x0001 };
        memcpy(data, ids, sizeof(ids));
        size = sizeof(ids);
    } else if (select_ == CFG_EV_BITS && subsel == EV_KEY) {
        memset(data + 0, 0xfe, 1); /* KEY_RESERVED (0) is not a key */
        memset(data + 1, 0xff, KEY_CODES / 8 - 1);
        size = KEY_CODES / 8;
    }
    config[2] = (uint8_t)(size > 128 ? 128 : size);
}

static uint64_t config_read(struct virtio_device *d, uint64_t offset, unsigned size)
{
    (void)d;
    uint64_t value = 0;
    if (offset < sizeof(config) && size <= sizeof(config) - offset)
        memcpy(&value, config + offset, size);
    return value;
}

static void config_write(struct virtio_device *d, uint64_t offset, unsigned size, uint64_t value)
{
    (void)d;
    if (size != 1 || offset > 1)
        return; /* only select and subsel are the driver's to write */
    if (offset == 0)
        select_ = (uint8_t)value;
    else
        subsel = (uint8_t)value;
    fill_config();
}

static const struct virtio_ops ops = {
    .reset = reset, .notify = notify, .config_read = config_read, .config_write = config_write
};

static void keyboard_access(struct mmio *m, uint64_t offset)
{
    virtio_mmio_access(&device, m, offset);
}

const struct device virtio_keyboard_device = {
    "virtio-keyboard",
    PERSONA_VIRTIO_BASE + PERSONA_VIRTIO_KEYBOARD *PERSONA_VIRTIO_SIZE,
    PERSONA_VIRTIO_SIZE,
    keyboard_access,
};

/* The keyboard channel's call end, which is not a channel port of the guest's. */
bool virtio_keyboard_channel(const struct cell_info_end *end)
{
    return keys_channel && end == keys_channel;
}

static const struct cell_info_end *own_end(const struct cell_info *info, unsigned kind,
                                           const char *suffix)
{
    char name[2 * CELL_NAME_MAX];
    snprintf(name, sizeof(name), "%.31s%s", info->name, suffix);
    for (uint32_t i = 0; i < info->end_count; i++)
        if (info->ends[i].kind == kind && strcmp(info->ends[i].name, name) == 0)
            return &info->ends[i];
    return NULL;
}

bool virtio_keyboard_init(const struct cell_info *info)
{
    keys_ready = own_end(info, CELL_END_NOTIFY_WAIT, "_keys");
    keys_channel = own_end(info, CELL_END_CALL_CLIENT, "_kbd");
    device = (struct virtio_device){
        .name = "virtio-keyboard",
        .device_id = VIRTIO_ID_INPUT,
        .features = VIRTIO_F_VERSION_1,
        .irq = 32 + PERSONA_VIRTIO_SPI + PERSONA_VIRTIO_KEYBOARD,
        .queue_count = 2,
        .queues = queues,
        .ops = &ops,
    };
    fill_config();
    return keys_ready && keys_channel && keys_channel->slot;
}

/* Signals: the input cell has keys for this persona. Fetches them all, then hands them over. */
void virtio_keyboard_notified(uint64_t bits)
{
    if (!keys_ready || !keys_channel || !(bits & keys_ready->badge))
        return;
    for (unsigned rounds = 0; rounds < PENDING_MAX / INPUT_EVENTS_MAX + 1; rounds++) {
        uint64_t mr[4] = { 0 };
        struct sys_result r = sys_call(keys_channel->slot, msginfo_new(INPUT_READ, 0, 0, 0), mr);
        if (r.error || msginfo_label(r.info) != SVC_OK)
            break;
        uint64_t count = mr[0] < INPUT_EVENTS_MAX ? mr[0] : INPUT_EVENTS_MAX;
        for (uint64_t i = 0; i < count; i++) {
            uint64_t e = i + 1 < 4 ? mr[i + 1] : ipc_buffer()->msg[i + 1];
            if (input_event_type(e) != EV_KEY || input_event_code(e) >= KEY_CODES)
                continue; /* only keys, and only those the device says it has */
            queue_event(EV_KEY, input_event_code(e), (uint32_t)input_event_value(e));
            queue_event(EV_SYN, SYN_REPORT, 0);
        }
        if (count < INPUT_EVENTS_MAX)
            break;
    }
    deliver();
}
