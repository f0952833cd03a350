/*
 * The work persona's first process (/init in the initramfs).
 *
 * Mounts /proc, /sys and /dev, announces itself with the marker line
 *   cella-guest: init reached cntvct=<ticks> cntfrq=<Hz>
 * (the counter read as init starts), loads the kernel modules listed in
 * /lib/modules/load-order, then runs a busybox shell on the console and
 * starts a new one whenever it exits. When the kernel had no console for
 * init yet (console=hvc0, whose driver is a module), the marker follows the
 * modules, on the console they bring.
 *
 * Kernel command line options it reads:
 *   cella.run=PATH  run PATH once before the shell (a benchmark, a check)
 *   cella.test=1    power off instead of starting the shell
 *   cella.test=MODE misbehave on purpose, for the containment tests
 *                   (tests/system/guests): panic, spin, stray, hang or jump;
 *                   see misbehave() below
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "channels.h"
#include "counter.h"

#define MODULE_LIST "/lib/modules/load-order"
#define SHELL "/bin/sh"
#define CONSOLE_WAIT_TRIES 300
#define CONSOLE_WAIT_NS 10000000 /* 300 x 10 ms */

struct options {
    int test;
    char run[256];
    char mode[16]; /* cella.test=MODE, other than 1 */
};

static void say(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    fputs("cella-guest: ", stdout);
    vprintf(format, args);
    fputc('\n', stdout);
    fflush(stdout);
    va_end(args);
}

static void mount_one(const char *source, const char *target, const char *type)
{
    mkdir(target, 0755);
    if (mount(source, target, type, MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY)
        say("error: cannot mount %s on %s: %s", type, target, strerror(errno));
}

static void mount_filesystems(void)
{
    mount_one("proc", "/proc", "proc");
    mount_one("sysfs", "/sys", "sysfs");
    mkdir("/dev", 0755);
    if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, NULL) != 0 && errno != EBUSY)
        say("error: cannot mount devtmpfs on /dev: %s", strerror(errno));
    mount_one("devpts", "/dev/pts", "devpts");
}

/* Reads a whole small file into buffer as a string; returns its length or -1. */
static ssize_t read_text(const char *path, char *buffer, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t used = 0;
    while (used + 1 < size) {
        ssize_t n = read(fd, buffer + used, size - 1 - used);
        if (n <= 0)
            break;
        used += (size_t)n;
    }
    close(fd);
    buffer[used] = '\0';
    return (ssize_t)used;
}

static void read_options(struct options *options)
{
    static char cmdline[4096];
    memset(options, 0, sizeof(*options));
    if (read_text("/proc/cmdline", cmdline, sizeof(cmdline)) < 0) {
        say("error: cannot read /proc/cmdline: %s", strerror(errno));
        return;
    }
    for (char *save = NULL, *word = strtok_r(cmdline, " \t\n", &save); word != NULL;
         word = strtok_r(NULL, " \t\n", &save)) {
        if (strcmp(word, "cella.test=1") == 0)
            options->test = 1;
        else if (strncmp(word, "cella.test=", 11) == 0)
            snprintf(options->mode, sizeof(options->mode), "%s", word + 11);
        else if (strncmp(word, "cella.run=", 10) == 0)
            snprintf(options->run, sizeof(options->run), "%s", word + 10);
    }
}

static const char *module_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Loads one module; returns 0 when it is loaded (or was already). */
static int load_module(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        say("error: module %s: %s", path, strerror(errno));
        return -1;
    }
    long result = syscall(SYS_finit_module, fd, "", 0);
    int saved = errno;
    close(fd);
    if (result != 0 && saved != EEXIST) {
        say("error: module %s: %s", module_name(path), strerror(saved));
        return -1;
    }
    return 0;
}

/*
 * Loads every module in MODULE_LIST, one path a line, dependencies first, and
 * describes the result in report.
 */
static void load_modules(char *report, size_t size)
{
    FILE *list = fopen(MODULE_LIST, "re");
    if (list == NULL) {
        snprintf(report, size, "no %s: no modules to load", MODULE_LIST);
        return;
    }
    char line[512], loaded[1024] = "";
    int count = 0, failed = 0;
    while (fgets(line, sizeof(line), list) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '\0' || line[0] == '#')
            continue;
        if (load_module(line) != 0) {
            failed++;
            continue;
        }
        count++;
        size_t used = strlen(loaded);
        snprintf(loaded + used, sizeof(loaded) - used, " %.*s",
                 (int)strcspn(module_name(line), "."), module_name(line));
    }
    fclose(list);
    snprintf(report, size, "modules loaded: %d,%s%s", count, loaded,
             failed ? " (some failed, see above)" : "");
}

/*
 * When the console's driver is a module (virtio_console for hvc0), the kernel
 * had no console to give init; once the modules are in, /dev/console works.
 */
static int console_is_open(void)
{
    return fcntl(STDOUT_FILENO, F_GETFD) != -1;
}

static void open_console(void)
{
    /* A multiport virtio console adds its ports a little after the module loads. */
    int fd = -1;
    for (int tries = 0; fd < 0 && tries < CONSOLE_WAIT_TRIES; tries++) {
        fd = open("/dev/console", O_RDWR | O_NOCTTY);
        if (fd < 0)
            nanosleep(&(struct timespec){ .tv_nsec = CONSOLE_WAIT_NS }, NULL);
    }
    if (fd < 0)
        return;
    for (int i = 0; i < 3; i++)
        if (fcntl(i, F_GETFD) == -1)
            dup2(fd, i);
    if (fd > 2)
        close(fd);
}

/* The console's real device (ttyAMA0, hvc0), so that the shell gets job control. */
static void console_device(char *path, size_t size)
{
    char active[128];
    snprintf(path, size, "/dev/console");
    if (read_text("/sys/class/tty/console/active", active, sizeof(active)) <= 0)
        return;
    active[strcspn(active, "\n")] = '\0';
    char *last = strrchr(active, ' ');
    last = last ? last + 1 : active;
    if (last[0] != '\0')
        snprintf(path, size, "/dev/%s", last);
}

static void become_console_session(const char *tty)
{
    setsid();
    int fd = open(tty, O_RDWR);
    if (fd < 0)
        return;
    ioctl(fd, TIOCSCTTY, 0);
    for (int i = 0; i < 3; i++)
        dup2(fd, i);
    if (fd > 2)
        close(fd);
}

/* Runs argv[0] in a child and waits for it, reaping any orphans meanwhile. */
static int run_and_wait(char *const argv[], const char *tty)
{
    pid_t child = fork();
    if (child < 0) {
        say("error: fork: %s", strerror(errno));
        return -1;
    }
    if (child == 0) {
        if (tty)
            become_console_session(tty);
        execv(argv[0], argv);
        say("error: cannot run %s: %s", argv[0], strerror(errno));
        _exit(127);
    }
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid == child)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (pid < 0 && errno != EINTR)
            return -1;
    }
}

/*
 * Test modes (cella.test=MODE): a guest misbehaving on purpose, so that the
 * containment tests (tests/system/guests) can show it disturbs nothing
 * outside itself.
 */
#define STRAY_ADDRESS 0x20000000UL /* guest-physical: neither RAM nor a device */
#define KEXEC_CODE_SIZE 4096

/*
 * Code that replaces the kernel (kexec) and runs at EL1 with the MMU off:
 * what a kernel gone wrong can do and its user space cannot.
 */
__asm__(".pushsection .rodata.cella_test_code, \"a\"\n"
        ".balign 4\n"
        "cella_hang_code:\n"
        "    msr daifset, #0xf\n"   /* every interrupt masked, and never a WFI */
        "    mov x2, #0x09000000\n" /* the UART's data register */
        "1:  movz x0, #0xb280\n"    /* 250 million rounds: half a second or so */
        "    movk x0, #0x0ee6, lsl #16\n"
        "2:  subs x0, x0, #1\n"
        "    b.ne 2b\n"
        "    adr x1, 4f\n" /* then a line on the UART, and again */
        "3:  ldrb w3, [x1], #1\n"
        "    cbz w3, 1b\n"
        "    str w3, [x2]\n"
        "    b 3b\n"
        "4:  .asciz \"cella-guest: test hang: still looping with every interrupt masked\\n\"\n"
        "    .balign 4\n"
        "cella_jump_code:\n"
        "    mov x0, #0x10000000\n" /* guest-physical: neither RAM nor a device */
        "    br x0\n"
        "cella_test_code_end:\n"
        ".popsection\n");
extern const char cella_hang_code[], cella_jump_code[], cella_test_code_end[];

struct kexec_segment_desc { /* the kernel's struct kexec_segment */
    const void *buf;
    size_t bufsz;
    unsigned long mem;
    size_t memsz;
};

/* Sysrq c: the kernel panics ("sysrq triggered crash"). What follows is the kernel's panic= option.
 */
static void test_panic(void)
{
    say("test panic: crashing the kernel (sysrq c)");
    int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "c", 1) != 1)
        say("error: cannot crash the kernel: %s", strerror(errno));
}

/*
 * A loop in user space that never sleeps; it says so once a second. It looks
 * at the counter only every million rounds: under QEMU's -icount each read of
 * it costs the emulator far more than a plain instruction.
 */
static _Noreturn void test_spin(void)
{
    say("test spin: looping in user space, never sleeping");
    uint64_t hz = counter_frequency(), next = counter_ticks() + hz;
    for (unsigned long seconds = 1;;) {
        for (unsigned i = 0; i < 1000000; i++)
            __asm__ volatile("");
        if (counter_ticks() >= next) {
            say("test spin: still spinning after %lu s", seconds++);
            next += hz;
        }
    }
}

/*
 * Plain loads and stores where nothing is (the VMM refuses them and the guest
 * goes on), then a load pair there, which carries no syndrome the VMM could
 * emulate it from: the VMM stops the guest.
 */
static void test_stray(void)
{
    int fd = open("/dev/mem", O_RDWR | O_SYNC | O_CLOEXEC);
    void *map =
        fd < 0 ? MAP_FAILED
               : mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)STRAY_ADDRESS);
    if (map == MAP_FAILED) {
        say("error: cannot map guest-physical %#lx: %s", STRAY_ADDRESS, strerror(errno));
        return;
    }
    volatile uint32_t *p = map;
    say("test stray: reading and writing guest-physical %#lx, where nothing is", STRAY_ADDRESS);
    uint32_t before = p[0];
    p[0] = 0xc0ffee;
    uint32_t after = p[0];
    say("test stray: read %#x, wrote, read %#x; still running", before, after);
    say("test stray: a load pair there, which the VMM cannot emulate");
    uint64_t a, b;
    __asm__ volatile("ldp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(p) : "memory");
    say("error: still running after the load pair (%#lx, %#lx)", (unsigned long)a,
        (unsigned long)b);
}

/* The last page of the first System RAM range in /proc/iomem, or 0. */
static unsigned long last_ram_page(void)
{
    FILE *f = fopen("/proc/iomem", "re");
    char line[128];
    unsigned long found = 0;
    while (f && !found && fgets(line, sizeof(line), f) != NULL) {
        char *dash, *after;
        if (!strstr(line, ": System RAM"))
            continue;
        unsigned long start = strtoul(line, &dash, 16);
        if (*dash != '-')
            continue;
        unsigned long end = strtoul(dash + 1, &after, 16);
        if (after != dash + 1 && end >= start && end - start + 1 >= 2UL * KEXEC_CODE_SIZE)
            found = (end + 1 - KEXEC_CODE_SIZE) & ~(unsigned long)(KEXEC_CODE_SIZE - 1);
    }
    if (f)
        fclose(f);
    return found;
}

/* Loads code as the next kernel (kexec_load) and reboots into it. */
static void test_kexec(const char *what, const char *code, const char *end)
{
    static char page[KEXEC_CODE_SIZE] __attribute__((aligned(KEXEC_CODE_SIZE)));
    unsigned long dest = last_ram_page();
    if (!dest) {
        say("error: no System RAM in /proc/iomem");
        return;
    }
    memcpy(page, code, (size_t)(end - code));
    struct kexec_segment_desc segment = { page, sizeof(page), dest, sizeof(page) };
    if (syscall(SYS_kexec_load, dest, 1UL, &segment, 0UL) != 0) {
        say("error: kexec_load: %s", strerror(errno));
        return;
    }
    say("test %s: replacing the kernel with %s (kexec, at %#lx)", what,
        code == cella_hang_code ? "a loop with every interrupt masked, which says so twice a second"
                                : "a jump to guest-physical 0x10000000, where nothing is",
        dest);
    reboot(RB_KEXEC);
    say("error: kexec reboot: %s", strerror(errno));
}

/*
 * The test modes:
 *   panic  the kernel panics (sysrq c)
 *   spin   init loops in user space forever
 *   stray  init touches guest-physical memory where nothing is, then in a way
 *          the VMM cannot emulate
 *   hang   the kernel is replaced by a loop at EL1 with interrupts masked,
 *          which writes a line to the UART every 250 million rounds
 *   jump   the kernel is replaced by a jump to where nothing is
 * Returns only when the guest could not misbehave as asked.
 */
static void misbehave(const char *mode)
{
    if (strcmp(mode, "panic") == 0)
        test_panic();
    else if (strcmp(mode, "spin") == 0)
        test_spin();
    else if (strcmp(mode, "stray") == 0)
        test_stray();
    else if (strcmp(mode, "hang") == 0)
        test_kexec(mode, cella_hang_code, cella_jump_code);
    else if (strcmp(mode, "jump") == 0)
        test_kexec(mode, cella_jump_code, cella_test_code_end);
    else
        say("error: unknown test mode '%s'", mode);
}

/* The screen's shell: tty1, where the framebuffer console draws and the keyboard types. */
static void start_screen_shell(void)
{
    if (access("/dev/fb0", F_OK) != 0 || access("/dev/tty1", F_OK) != 0)
        return;
    pid_t loop = fork();
    if (loop != 0) {
        if (loop < 0)
            say("error: fork: %s", strerror(errno));
        else
            say("shell on /dev/tty1 (the screen)");
        return;
    }
    for (;;) {
        char *argv[] = { SHELL, "-l", NULL };
        run_and_wait(argv, "/dev/tty1");
        sleep(1);
    }
}

static void power_off(void)
{
    say("powering off");
    sync();
    reboot(RB_POWER_OFF);
    say("error: power off failed: %s", strerror(errno));
    for (;;)
        pause();
}

static void announce(uint64_t reached)
{
    say("init reached cntvct=%llu cntfrq=%llu", (unsigned long long)reached,
        (unsigned long long)counter_frequency());
}

int main(void)
{
    uint64_t reached = counter_ticks();
    mount_filesystems();
    int early_console = console_is_open();
    if (early_console)
        announce(reached);

    struct options options;
    read_options(&options);
    setenv("PATH", "/bin", 1);
    setenv("HOME", "/root", 1);
    setenv("TERM", "vt100", 0);
    char report[1200];
    load_modules(report, sizeof(report));
    if (!early_console) {
        open_console();
        announce(reached);
    }
    say("%s", report);
    link_channels(report, sizeof(report));
    say("%s", report);

    if (options.run[0] != '\0') {
        char *argv[] = { options.run, NULL };
        say("%s exited with status %d", options.run, run_and_wait(argv, NULL));
    }
    if (options.mode[0] != '\0')
        misbehave(options.mode); /* returns only if it could not */
    if (options.test || options.mode[0] != '\0')
        power_off();

    start_screen_shell();
    char tty[160];
    console_device(tty, sizeof(tty));
    for (;;) {
        char *argv[] = { SHELL, "-l", NULL };
        say("shell on %s", tty);
        run_and_wait(argv, tty);
        say("shell exited; starting a new one");
        sleep(1); /* not a tight loop if the shell cannot start */
    }
}
