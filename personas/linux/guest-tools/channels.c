/*
 * Names for the persona's channels. The VMM's channel device is a multiport
 * virtio console: each call channel the manifest gives this persona is a
 * port named "<channel>:<server>" (abi/channel_device.h), which Linux shows
 * as /dev/vportNpM with the name in sysfs. The device tree's
 * /chosen/cella,channels lists the names to expect; each gets the links
 *   /dev/cella/<channel>  and  /dev/cella/<server>  (the first channel to it)
 * so that programs such as pay open a service by name.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "channels.h"

#define CHANNEL_LIST "/proc/device-tree/chosen/cella,channels"
#define PORTS_DIR "/sys/class/virtio-ports"
#define LINK_DIR "/dev/cella"
#define CHANNELS_MAX 16
#define NAME_MAX_BYTES 80
#define WAIT_TRIES 300 /* ports appear shortly after virtio_console loads: 300 x 10 ms at most */
#define WAIT_NS 10000000

struct expected {
    char name[NAME_MAX_BYTES]; /* "<channel>:<server>" */
    char port[NAME_MAX_BYTES]; /* vportNpM, once seen */
};

static int read_file(const char *path, char *out, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0)
        return -1;
    out[n] = '\0';
    return (int)n;
}

static int read_expected(struct expected *list)
{
    char text[CHANNELS_MAX * NAME_MAX_BYTES];
    int length = read_file(CHANNEL_LIST, text, sizeof(text));
    int count = 0;
    for (int at = 0; length > 0 && at < length && count < CHANNELS_MAX;
         at += (int)strlen(text + at) + 1) {
        if (text[at] != '\0')
            snprintf(list[count++].name, NAME_MAX_BYTES, "%s", text + at);
    }
    return count;
}

/* Records the sysfs port of each expected name seen; returns how many are still missing. */
static int scan_ports(struct expected *list, int count)
{
    DIR *dir = opendir(PORTS_DIR);
    if (!dir)
        return count;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char path[300], name[NAME_MAX_BYTES];
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), PORTS_DIR "/%s/name", e->d_name);
        if (read_file(path, name, sizeof(name)) <= 0)
            continue;
        name[strcspn(name, "\n")] = '\0';
        for (int i = 0; i < count; i++)
            if (strcmp(list[i].name, name) == 0)
                snprintf(list[i].port, NAME_MAX_BYTES, "%.*s", NAME_MAX_BYTES - 1, e->d_name);
    }
    closedir(dir);
    int missing = 0;
    for (int i = 0; i < count; i++)
        missing += list[i].port[0] == '\0';
    return missing;
}

static void link_one(const char *port, const char *link_name)
{
    char target[NAME_MAX_BYTES + 8], link[NAME_MAX_BYTES + 16];
    snprintf(target, sizeof(target), "/dev/%s", port);
    snprintf(link, sizeof(link), LINK_DIR "/%s", link_name);
    unlink(link); /* the device may have come back under another port number */
    if (symlink(target, link) != 0)
        fprintf(stderr, "cella-guest: cannot link %s: %s\n", link, strerror(errno));
}

void link_channels(char *report, size_t size)
{
    struct expected list[CHANNELS_MAX];
    memset(list, 0, sizeof(list));
    int count = read_expected(list);
    snprintf(report, size, "channels: none");
    if (count == 0)
        return;
    int missing = count;
    for (int tries = 0; (missing = scan_ports(list, count)) > 0 && tries < WAIT_TRIES; tries++)
        nanosleep(&(struct timespec){ .tv_nsec = WAIT_NS }, NULL);
    mkdir(LINK_DIR, 0755);
    size_t used = (size_t)snprintf(report, size, "channels:");
    for (int i = 0; i < count && used < size; i++) {
        char *server = strchr(list[i].name, ':');
        if (server)
            *server++ = '\0';
        if (list[i].port[0]) {
            link_one(list[i].port, list[i].name);
            if (server && *server)
                link_one(list[i].port, server);
        }
        used += (size_t)snprintf(report + used, size - used, " %s->%s (%s)", list[i].name,
                                 server ? server : "?", list[i].port[0] ? list[i].port : "missing");
    }
}

int channel_device(const char *server, char *path, size_t size)
{
    DIR *dir = opendir(PORTS_DIR);
    int found = 0;
    struct dirent *e;
    while (dir && !found && (e = readdir(dir)) != NULL) {
        char file[300], name[NAME_MAX_BYTES];
        if (e->d_name[0] == '.')
            continue;
        snprintf(file, sizeof(file), PORTS_DIR "/%s/name", e->d_name);
        if (read_file(file, name, sizeof(name)) <= 0)
            continue;
        name[strcspn(name, "\n")] = '\0';
        const char *peer = strchr(name, ':');
        if (peer && strcmp(peer + 1, server) == 0) {
            snprintf(path, size, "/dev/%s", e->d_name);
            found = 1;
        }
    }
    if (dir)
        closedir(dir);
    return found ? 0 : -1;
}
