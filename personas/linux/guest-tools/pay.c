/*
 * pay: the work persona's way to ask the wallet cell for a payment.
 *
 * The arguments are parsed and checked here in full; the requests travel
 * over a Cella channel device (/dev/cella-channel*), whose driver is not
 * part of the guest yet. Until it is, every command that needs the channel
 * says so and fails with EX_UNAVAILABLE rather than pretending.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define EX_USAGE 64
#define EX_UNAVAILABLE 69
#define CHANNEL_GLOB "/dev/cella-channel*"
#define PAYEE_MAX 64
#define MEMO_MAX 128
#define HISTORY_MAX 1000
#define AMOUNT_WHOLE_LIMIT 1000000000000ULL /* 10^12 whole units: far beyond any payment */

static const char usage_text[] =
    "usage: pay [-c DEVICE] send AMOUNT PAYEE [MEMO]\n"
    "       pay [-c DEVICE] balance\n"
    "       pay [-c DEVICE] history [COUNT]\n"
    "\n"
    "Asks the wallet cell, over a Cella channel, to pay or to report.\n"
    "\n"
    "commands:\n"
    "  send AMOUNT PAYEE [MEMO]  pay AMOUNT (e.g. 12.50: at most two decimals) to PAYEE\n"
    "                            (1-64 letters, digits, '.', '_', '-'); MEMO is free text\n"
    "  balance                   show the balance the wallet reports\n"
    "  history [COUNT]           show the last COUNT ledger entries (default 10)\n"
    "\n"
    "options:\n"
    "  -c, --channel DEVICE      the channel device (default: the first " CHANNEL_GLOB ")\n"
    "  -h, --help                show this message\n"
    "  -V, --version             show the version\n";

enum command { SEND, BALANCE, HISTORY };

struct request {
    enum command command;
    uint64_t amount_cents;
    const char *payee;
    const char *memo;
    unsigned history_count;
};

static int usage_error(const char *format, const char *detail)
{
    fputs("pay: ", stderr);
    fprintf(stderr, format, detail);
    fputs("\nTry 'pay --help'.\n", stderr);
    return EX_USAGE;
}

/* "12", "12.5", "12.50" -> cents; rejects signs, exponents, a third decimal, zero. */
static int parse_amount(const char *text, uint64_t *cents)
{
    uint64_t whole = 0;
    const char *p = text;
    if (!isdigit((unsigned char)*p))
        return -1;
    for (; isdigit((unsigned char)*p); p++) {
        if (whole >= AMOUNT_WHOLE_LIMIT)
            return -1;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    uint64_t fraction = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; isdigit((unsigned char)*p) && digits < 2; p++, digits++)
            fraction = fraction * 10 + (uint64_t)(*p - '0');
        if (digits == 0)
            return -1;
        if (digits == 1)
            fraction *= 10;
    }
    if (*p != '\0')
        return -1;
    *cents = whole * 100 + fraction;
    return *cents == 0 ? -1 : 0;
}

static int valid_payee(const char *payee)
{
    size_t length = strlen(payee);
    if (length == 0 || length > PAYEE_MAX)
        return 0;
    for (const char *p = payee; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
            return 0;
    return 1;
}

static int parse_count(const char *text, unsigned *count)
{
    char *end;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || !isdigit((unsigned char)text[0]) ||
        value == 0 || value > HISTORY_MAX)
        return -1;
    *count = (unsigned)value;
    return 0;
}

/* Fills request from the words after the options; returns 0 or an exit status. */
static int parse_command(int argc, char **argv, struct request *request)
{
    if (argc == 0)
        return usage_error("%s", "no command given (send, balance or history)");
    const char *name = argv[0];
    int extra = argc - 1;
    if (strcmp(name, "send") == 0) {
        if (extra < 2 || extra > 3)
            return usage_error("%s", "send takes AMOUNT PAYEE [MEMO]");
        request->command = SEND;
        if (parse_amount(argv[1], &request->amount_cents) != 0)
            return usage_error("bad amount '%s': a positive number with at most two decimals",
                               argv[1]);
        if (!valid_payee(argv[2]))
            return usage_error("bad payee '%s': 1-64 letters, digits, '.', '_' or '-'", argv[2]);
        request->payee = argv[2];
        request->memo = extra == 3 ? argv[3] : "";
        if (strlen(request->memo) > MEMO_MAX)
            return usage_error("%s", "memo longer than 128 bytes");
        return 0;
    }
    if (strcmp(name, "balance") == 0) {
        if (extra != 0)
            return usage_error("%s", "balance takes no arguments");
        request->command = BALANCE;
        return 0;
    }
    if (strcmp(name, "history") == 0) {
        if (extra > 1)
            return usage_error("%s", "history takes at most one argument, COUNT");
        request->command = HISTORY;
        request->history_count = 10;
        if (extra == 1 && parse_count(argv[1], &request->history_count) != 0)
            return usage_error("bad count '%s': a number from 1 to 1000", argv[1]);
        return 0;
    }
    return usage_error("unknown command '%s' (send, balance or history)", name);
}

/* Finds the channel device; prints why not and returns NULL when there is none. */
static const char *find_channel(const char *wanted, char *found, size_t size)
{
    struct stat st;
    if (wanted != NULL) {
        if (stat(wanted, &st) != 0) {
            fprintf(stderr, "pay: channel device %s: %s\n", wanted, strerror(errno));
            return NULL;
        }
        snprintf(found, size, "%s", wanted);
        return found;
    }
    glob_t matches;
    if (glob(CHANNEL_GLOB, 0, NULL, &matches) != 0) {
        globfree(&matches);
        fprintf(stderr,
                "pay: no Cella channel device (%s): this guest has no channel driver yet,\n"
                "pay: so it cannot reach the wallet cell\n",
                CHANNEL_GLOB);
        return NULL;
    }
    snprintf(found, size, "%s", matches.gl_pathv[0]);
    globfree(&matches);
    return found;
}

static void describe(const struct request *request)
{
    switch (request->command) {
    case SEND:
        printf("pay: request: send %" PRIu64 ".%02" PRIu64 " to %s%s%s\n",
               request->amount_cents / 100, request->amount_cents % 100, request->payee,
               request->memo[0] ? ", memo: " : "", request->memo);
        break;
    case BALANCE:
        printf("pay: request: balance\n");
        break;
    case HISTORY:
        printf("pay: request: last %u ledger entries\n", request->history_count);
        break;
    }
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"channel", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *channel = NULL;
    int option;
    while ((option = getopt_long(argc, argv, "+c:hV", long_options, NULL)) != -1) {
        switch (option) {
        case 'c':
            channel = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            puts("pay 0.1 (Cella work persona; channel protocol not yet implemented)");
            return 0;
        default:
            fputs("Try 'pay --help'.\n", stderr);
            return EX_USAGE;
        }
    }
    struct request request = {0};
    int status = parse_command(argc - optind, argv + optind, &request);
    if (status != 0)
        return status;
    describe(&request);
    char device[256];
    if (find_channel(channel, device, sizeof(device)) == NULL)
        return EX_UNAVAILABLE;
    fprintf(stderr, "pay: %s exists, but the wallet protocol over it is not implemented yet\n",
            device);
    return EX_UNAVAILABLE;
}
