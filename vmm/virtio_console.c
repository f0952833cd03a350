/*
 * The persona's virtio console, multiport. Port 0 is a console (Linux's
 * hvc0): what the guest writes there goes to the console server, and what
 * is typed comes back. The other ports are the persona's call channels,
 * named "<channel>:<server>" (Linux's /dev/vport0pN): a request written to
 * such a port becomes one call (channel.c), and its reply is the next read.
 * One request per port is in flight: the next is taken once the reply is
 * in the guest's hands.
 */
#include <stdio.h>
#include <string.h>

#include <abi/persona_layout.h>

#include "channel.h"
#include "virtio.h"

#define F_MULTIPORT (1ULL << 1)
#define CHANNEL_PORTS_MAX 8
#define PORTS_MAX (1 + CHANNEL_PORTS_MAX)
#define CONSOLE_PORT_ID 0
#define CONSOLE_INPUT_MAX 256
#define CONTROL_RX 2
#define CONTROL_TX 3
#define QUEUES (4 + 2 * (PORTS_MAX - 1))
#define CONTROL_PENDING_MAX (3 * PORTS_MAX + 4)
#define PORT_NAME_MAX (2 * CELL_NAME_MAX + 2)

enum control_event {
    DEVICE_READY = 0,
    DEVICE_ADD = 1,
    PORT_READY = 3,
    CONSOLE_PORT = 4,
    PORT_OPEN = 6,
    PORT_NAME = 7,
};

struct control_message {
    uint32_t id;
    uint16_t event, value;
};

struct port {
    const struct cell_info_end *end;
    char name[PORT_NAME_MAX];
    bool reply_pending;
    uint32_t reply_size;
    union {
        struct channel_frame frame;
        uint8_t bytes[CHANNEL_FRAME_MAX_SIZE];
    } reply;
};

static struct virtq queues[QUEUES];
static struct port ports[PORTS_MAX];
static unsigned port_count;
static char console_input[CONSOLE_INPUT_MAX];
static unsigned console_input_length;
static struct control_message control_out[CONTROL_PENDING_MAX];
static unsigned control_head, control_tail;

static struct virtio_device device;

static unsigned port_receive_queue(unsigned port)
{
    return port == 0 ? 0 : 2 + 2 * port;
}

static unsigned port_transmit_queue(unsigned port)
{
    return port_receive_queue(port) + 1;
}

static void queue_control(uint32_t id, uint16_t event, uint16_t value)
{
    if (control_tail - control_head == CONTROL_PENDING_MAX)
        return; /* only a driver repeating itself fills this: the copies are dropped */
    control_out[control_tail++ % CONTROL_PENDING_MAX] =
        (struct control_message){ id, event, value };
}

/* Hands queued control messages to the driver while it has buffers for them. */
static void flush_control(void)
{
    bool moved = false;
    while (control_head != control_tail) {
        struct vchain c;
        if (virtq_pop(&device, CONTROL_RX, &c) != 1)
            break;
        struct control_message m = control_out[control_head++ % CONTROL_PENDING_MAX];
        uint8_t message[sizeof(m) + PORT_NAME_MAX];
        uint32_t size = sizeof(m);
        memcpy(message, &m, sizeof(m));
        if (m.event == PORT_NAME) {
            size_t length = strlen(ports[m.id].name);
            memcpy(message + sizeof(m), ports[m.id].name, length);
            size += (uint32_t)length;
        }
        virtq_push(&device, CONTROL_RX, c.head, vchain_write(&c, message, size));
        moved = true;
    }
    if (moved)
        virtio_interrupt(&device);
}

static void control_received(const struct control_message *m)
{
    switch (m->event) {
    case DEVICE_READY:
        for (unsigned i = 0; m->value == 1 && i < port_count; i++)
            queue_control(i, DEVICE_ADD, 0);
        break;
    case PORT_READY:
        if (m->id == CONSOLE_PORT_ID && m->value == 1)
            queue_control(m->id, CONSOLE_PORT, 1);
        else if (m->id < port_count && m->value == 1)
            queue_control(m->id, PORT_NAME, 0);
        if (m->id < port_count && m->value == 1)
            queue_control(m->id, PORT_OPEN, 1); /* the VMM's side is always connected */
        break;
    case PORT_OPEN:
        if (m->id != CONSOLE_PORT_ID && m->id < port_count && m->value == 0)
            ports[m->id].reply_pending = false; /* the reader went away: its reply goes too */
        break;
    default:
        break;
    }
}

static void serve_control(void)
{
    struct vchain c;
    while (virtq_pop(&device, CONTROL_TX, &c) == 1) {
        struct control_message m;
        if (vchain_read(&c, &m, sizeof(m)) == sizeof(m))
            control_received(&m);
        virtq_push(&device, CONTROL_TX, c.head, 0);
    }
    virtio_interrupt(&device);
    flush_control();
}

static void deliver_reply(struct port *p, unsigned index)
{
    struct vchain c;
    if (!p->reply_pending || virtq_pop(&device, port_receive_queue(index), &c) != 1)
        return;
    uint32_t written = vchain_write(&c, p->reply.bytes, p->reply_size);
    virtq_push(&device, port_receive_queue(index), c.head, written);
    p->reply_pending = false;
    virtio_interrupt(&device);
}

/* Takes requests off the port while no reply is waiting for the guest to read it. */
static void serve_port(unsigned index)
{
    struct port *p = &ports[index];
    static uint64_t request[CHANNEL_FRAME_MAX_SIZE / 8 + 1];
    struct vchain c;
    while (!p->reply_pending && virtq_pop(&device, port_transmit_queue(index), &c) == 1) {
        uint64_t size = vchain_readable_bytes(&c);
        if (size > sizeof(request))
            size = sizeof(request); /* longer than any frame: refused as malformed below */
        vchain_read(&c, request, (uint32_t)size);
        virtq_push(&device, port_transmit_queue(index), c.head, 0);
        p->reply_size = channel_call(p->end, request, size, &p->reply.frame);
        p->reply_pending = true;
        deliver_reply(p, index);
    }
    virtio_interrupt(&device);
}

/* The console port's output, to the console server; Linux's CR before each LF goes. */
static void console_output(void)
{
    struct vchain c;
    char text[256];
    while (virtq_pop(&device, port_transmit_queue(CONSOLE_PORT_ID), &c) == 1) {
        uint32_t n = 0;
        for (unsigned i = 0; i < c.readable; i++) {
            for (uint32_t k = 0; k < c.buf[i].length; k++) {
                if (c.buf[i].data[k] != '\r')
                    text[n++] = (char)c.buf[i].data[k];
                if (n == sizeof(text)) {
                    vmm_console_write(GUEST_CONSOLE_VIRTIO, text, n);
                    n = 0;
                }
            }
        }
        vmm_console_write(GUEST_CONSOLE_VIRTIO, text, n);
        virtq_push(&device, port_transmit_queue(CONSOLE_PORT_ID), c.head, 0);
    }
    virtio_interrupt(&device);
}

/* Typed text waiting for the guest's console to take it. */
static void console_deliver_input(void)
{
    struct vchain c;
    if (!console_input_length || virtq_pop(&device, port_receive_queue(CONSOLE_PORT_ID), &c) != 1)
        return;
    uint32_t n = vchain_write(&c, console_input, console_input_length);
    virtq_push(&device, port_receive_queue(CONSOLE_PORT_ID), c.head, n);
    memmove(console_input, console_input + n, console_input_length - n);
    console_input_length -= n;
    virtio_interrupt(&device);
}

void virtio_console_input(const char *text, uint64_t length)
{
    for (uint64_t i = 0; i < length && console_input_length < CONSOLE_INPUT_MAX; i++)
        console_input[console_input_length++] = text[i]; /* a full buffer drops, as a UART would */
    console_deliver_input();
}

static void notify(struct virtio_device *d, unsigned queue)
{
    (void)d;
    if (queue == CONTROL_TX)
        serve_control();
    else if (queue == CONTROL_RX)
        flush_control();
    else if (queue == port_transmit_queue(CONSOLE_PORT_ID))
        console_output();
    else if (queue == port_receive_queue(CONSOLE_PORT_ID))
        console_deliver_input();
    else {
        unsigned index = (queue - 2) / 2;
        if (index >= port_count)
            return;
        deliver_reply(&ports[index], index);
        serve_port(index);
    }
}

static void reset(struct virtio_device *d)
{
    (void)d;
    control_head = control_tail = 0;
    console_input_length = 0;
    for (unsigned i = 0; i < port_count; i++)
        ports[i].reply_pending = false;
}

/* struct virtio_console_config: cols, rows, max_nr_ports, emerg_wr. */
static uint64_t config_read(struct virtio_device *d, uint64_t offset, unsigned size)
{
    (void)d;
    uint8_t config[12] = { 0 };
    uint32_t max_ports = port_count;
    memcpy(config + 4, &max_ports, sizeof(max_ports));
    uint64_t value = 0;
    if (offset < sizeof(config) && size <= sizeof(config) - offset)
        memcpy(&value, config + offset, size);
    return value;
}

static const struct virtio_ops ops = { .reset = reset,
                                       .notify = notify,
                                       .config_read = config_read };

static void console_access(struct mmio *m, uint64_t offset)
{
    virtio_mmio_access(&device, m, offset);
}

const struct device virtio_console_device = {
    "virtio-console",
    PERSONA_VIRTIO_BASE + PERSONA_VIRTIO_CONSOLE *PERSONA_VIRTIO_SIZE,
    PERSONA_VIRTIO_SIZE,
    console_access,
};

/* Every call channel the manifest gave this persona becomes a port, but the keyboard's. */
void virtio_console_init(const struct cell_info *info)
{
    port_count = 1; /* port 0: the console */
    ports[CONSOLE_PORT_ID] = (struct port){ .end = NULL };
    for (uint32_t i = 0; i < info->end_count && port_count < PORTS_MAX; i++) {
        const struct cell_info_end *end = &info->ends[i];
        if (end->kind != CELL_END_CALL_CLIENT || !end->slot || virtio_keyboard_channel(end))
            continue;
        struct port *p = &ports[port_count++];
        p->end = end;
        snprintf(p->name, sizeof(p->name), "%s:%s", end->name, end->peer);
    }
    device = (struct virtio_device){
        .name = "virtio-console",
        .device_id = VIRTIO_ID_CONSOLE,
        .features = VIRTIO_F_VERSION_1 | F_MULTIPORT,
        .irq = 32 + PERSONA_VIRTIO_SPI + PERSONA_VIRTIO_CONSOLE,
        .queue_count = 2 + 2 * port_count,
        .queues = queues,
        .ops = &ops,
    };
}
