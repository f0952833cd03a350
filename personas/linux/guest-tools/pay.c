/*
 * pay: the work persona's way to pay through the secure-wallet cells.
 *
 * Each service is a port of the persona's channel device, linked by init
 * as /dev/cella/<server> (channels.c). A call is one request frame written
 * to the port and one reply frame read back (abi/channel_device.h); the
 * words are the wallet protocol's structures (docs/wallet-protocol.md).
 * The persona holds no key and no token key: auth checks the PIN and binds
 * a token to this one payment, the wallet signs it, billing records it.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#include <abi/channel_device.h>

#include "channels.h"
#include "wallet_protocol.h"

#define EX_USAGE 64
#define EX_UNAVAILABLE 69
#define EX_REFUSED 1
#define CHANNEL_DIR "/dev/cella"
#define HISTORY_MAX 1000
#define AMOUNT_WHOLE_LIMIT 1000000ULL /* WALLET_AMOUNT_MAX cents in whole units */

static const char usage_text[] =
    "usage: pay [-d DIR] send AMOUNT PAYEE\n"
    "       pay [-d DIR] balance\n"
    "       pay [-d DIR] history [COUNT]\n"
    "\n"
    "Pays through the wallet cell, over the persona's Cella channels.\n"
    "\n"
    "commands:\n"
    "  send AMOUNT PAYEE   pay AMOUNT (e.g. 12.50: at most two decimals, at most 1000000)\n"
    "                      to PAYEE (1-31 letters, digits, '.', '_', '-'); asks for the PIN\n"
    "                      on standard input\n"
    "  balance             what billing's ledger holds\n"
    "  history [COUNT]     the last COUNT ledger entries (default 10)\n"
    "\n"
    "options:\n"
    "  -d, --channels DIR  open DIR/<service> (default: the channel device's port named\n"
    "                      for the service, else " CHANNEL_DIR "/<service>)\n"
    "  -h, --help          show this message\n"
    "  -V, --version       show the version\n";

enum command { SEND, BALANCE, HISTORY };

struct request {
    enum command command;
    uint64_t amount_cents;
    const char *payee;
    unsigned history_count;
};

static const char *channel_dir; /* -d: links there; otherwise the ports' names in sysfs */

static int refused(const char *who, uint64_t status);

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
        if (whole > AMOUNT_WHOLE_LIMIT)
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
    return *cents == 0 || *cents > WALLET_AMOUNT_MAX ? -1 : 0;
}

static int valid_payee(const char *payee)
{
    size_t length = strlen(payee);
    if (length == 0 || length >= WALLET_PAYEE_SIZE)
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
        if (extra != 2)
            return usage_error("%s", "send takes AMOUNT PAYEE");
        request->command = SEND;
        if (parse_amount(argv[1], &request->amount_cents) != 0)
            return usage_error("bad amount '%s': a positive number up to 1000000, at most two "
                               "decimals",
                               argv[1]);
        if (!valid_payee(argv[2]))
            return usage_error("bad payee '%s': 1-31 letters, digits, '.', '_' or '-'", argv[2]);
        request->payee = argv[2];
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

#define CHANNEL_PATH_MAX 256

static void service_path(const char *service, char path[CHANNEL_PATH_MAX])
{
    if (channel_dir)
        snprintf(path, CHANNEL_PATH_MAX, "%s/%s", channel_dir, service);
    else if (channel_device(service, path, CHANNEL_PATH_MAX) != 0)
        snprintf(path, CHANNEL_PATH_MAX, CHANNEL_DIR "/%s", service);
}

/* Before asking for a PIN: every service a payment needs must be reachable. */
static int reachable(const char *const services[], unsigned count)
{
    for (unsigned i = 0; i < count; i++) {
        char path[CHANNEL_PATH_MAX];
        service_path(services[i], path);
        if (access(path, R_OK | W_OK) != 0) {
            fprintf(stderr, "pay: cannot reach %s (%s): %s\n", services[i], path,
                    errno == ENOENT ? "this persona has no channel to it" : strerror(errno));
            return 0;
        }
    }
    return 1;
}

union frame {
    struct channel_frame f;
    uint8_t bytes[CHANNEL_FRAME_MAX_SIZE];
};

static int read_reply(int fd, union frame *reply)
{
    size_t got = 0, want = CHANNEL_FRAME_HEADER_SIZE;
    while (got < want) {
        ssize_t n = read(fd, reply->bytes + got, sizeof(reply->bytes) - got);
        if (n <= 0)
            return -1;
        got += (size_t)n;
        if (got >= CHANNEL_FRAME_HEADER_SIZE)
            want = CHANNEL_FRAME_HEADER_SIZE + 8u * reply->f.words;
        if (want > sizeof(reply->bytes) || reply->f.magic != CHANNEL_FRAME_MAGIC)
            return -1;
    }
    return 0;
}

/*
 * One call to a service: the request's words out, the reply's words back
 * (zero-filled when shorter). Returns the service's status; sets *failed
 * (and says why) when the call never completed.
 */
static uint64_t call(const char *service, uint64_t method, const void *in, size_t in_size,
                     void *out, size_t out_size, int *failed)
{
    char path[CHANNEL_PATH_MAX];
    union frame request = { .f = { .magic = CHANNEL_FRAME_MAGIC,
                                   .words = (uint16_t)(in_size / 8),
                                   .label = method } },
                reply;
    service_path(service, path);
    if (in_size)
        memcpy(request.f.word, in, in_size);
    memset(out, 0, out_size);
    *failed = 1;
    int fd = open(path, O_RDWR);
    if (fd < 0) {
        fprintf(stderr, "pay: cannot reach %s (%s): %s\n", service, path,
                errno == ENOENT ? "this persona has no channel to it" : strerror(errno));
        return 0;
    }
    size_t size = CHANNEL_FRAME_HEADER_SIZE + in_size;
    int ok = write(fd, request.bytes, size) == (ssize_t)size && read_reply(fd, &reply) == 0;
    close(fd);
    if (!ok) {
        fprintf(stderr, "pay: the channel to %s failed\n", service);
        return 0;
    }
    if (reply.f.error) {
        fprintf(stderr, "pay: the call to %s failed: error %u%s\n", service, reply.f.error,
                reply.f.error >= CHANNEL_EMALFORMED ? " (refused by the VMM)" : " (kernel)");
        return 0;
    }
    size_t words = reply.f.words * 8u < out_size ? reply.f.words * 8u : out_size;
    memcpy(out, reply.f.word, words);
    *failed = 0;
    return reply.f.label;
}

static void print_amount(uint64_t cents)
{
    printf("%" PRIu64 ".%02" PRIu64, cents / 100, cents % 100);
}

static int balance(void)
{
    struct billing_balance b;
    int failed;
    uint64_t st = call("billing", BILLING_BALANCE, NULL, 0, &b, sizeof(b), &failed);
    if (failed)
        return EX_UNAVAILABLE;
    if (st != SVC_OK) {
        printf("pay: billing refused: %s\n", wallet_status_name(st));
        return EX_REFUSED;
    }
    printf("pay: ledger: %" PRIu64 " payments, total ", b.count);
    print_amount(b.total);
    printf("\n");
    return 0;
}

static int history(unsigned count)
{
    struct billing_balance b;
    int failed;
    uint64_t st = call("billing", BILLING_BALANCE, NULL, 0, &b, sizeof(b), &failed);
    if (failed || st != SVC_OK)
        return failed ? EX_UNAVAILABLE : refused("billing", st);
    if (b.last_seq == 0)
        printf("pay: the ledger is empty\n");
    for (uint64_t seq = b.last_seq; seq >= 1 && b.last_seq - seq < count; seq--) {
        struct billing_entry_query q = { seq };
        struct billing_entry e;
        st = call("billing", BILLING_ENTRY, &q, sizeof(q), &e, sizeof(e), &failed);
        if (failed)
            return EX_UNAVAILABLE;
        if (st != SVC_OK) {
            printf("pay: entry %" PRIu64 ": %s\n", seq, wallet_status_name(st));
            continue;
        }
        printf("pay: #%" PRIu64 " ", e.seq);
        print_amount(e.payment.amount);
        printf(" to %.*s\n", WALLET_PAYEE_SIZE, e.payment.payee);
    }
    return 0;
}

/* Reads the PIN from standard input, without echo when it is a terminal. */
static int read_pin(char pin[WALLET_PIN_MAX])
{
    struct termios saved, quiet;
    int terminal = tcgetattr(STDIN_FILENO, &saved) == 0;
    if (terminal) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        fputs("PIN: ", stderr);
    }
    char line[64];
    int ok = fgets(line, sizeof(line), stdin) != NULL;
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        fputs("\n", stderr);
    }
    size_t length = ok ? strcspn(line, "\r\n") : 0;
    memset(pin, 0, WALLET_PIN_MAX);
    if (length == 0 || length >= WALLET_PIN_MAX)
        ok = 0;
    else
        memcpy(pin, line, length);
    memset(line, 0, sizeof(line));
    return ok ? 0 : -1;
}

static int make_payment(const struct request *r, struct payment *p)
{
    memset(p, 0, sizeof(*p));
    p->amount = r->amount_cents;
    memcpy(p->payee, r->payee, strlen(r->payee));
    if (getrandom(p->nonce, sizeof(p->nonce), 0) != (ssize_t)sizeof(p->nonce)) {
        fprintf(stderr, "pay: no randomness for the payment's nonce: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

static int refused(const char *who, uint64_t status)
{
    printf("pay: %s refused: %s\n", who, wallet_status_name(status));
    return EX_REFUSED;
}

static int authorise(const struct payment *p, struct auth_token *token)
{
    struct auth_request rq = { .payment = *p };
    struct auth_reply reply;
    int failed;
    if (read_pin(rq.pin) != 0) {
        fprintf(stderr, "pay: no PIN given (4 to 15 digits on standard input)\n");
        return EX_USAGE;
    }
    uint64_t st = call("auth", AUTH_REQUEST_TOKEN, &rq, sizeof(rq), &reply, sizeof(reply), &failed);
    memset(&rq, 0, sizeof(rq));
    if (failed)
        return EX_UNAVAILABLE;
    if (st == SVC_EDENIED)
        printf("pay: auth refused: wrong PIN (%" PRIu64 " attempts left)\n", reply.attempts_left);
    else if (st == SVC_ELOCKED)
        printf("pay: auth refused: locked out (retry in %" PRIu64 " ms)\n", reply.retry_after_ms);
    else if (st != SVC_OK)
        return refused("auth", st);
    if (st != SVC_OK)
        return EX_REFUSED;
    printf("pay: auth issued token %" PRIu64 " for this payment\n", reply.token.id);
    *token = reply.token;
    return 0;
}

static int send_payment(const struct request *r)
{
    struct billing_record record;
    struct auth_token token;
    struct wallet_signature sig;
    struct billing_receipt receipt;
    int failed;
    if (!reachable((const char *const[]){ "auth", "wallet", "billing" }, 3))
        return EX_UNAVAILABLE;
    if (make_payment(r, &record.payment) != 0)
        return EX_UNAVAILABLE;
    int status = authorise(&record.payment, &token);
    if (status != 0)
        return status;
    struct wallet_sign sign = { record.payment, token };
    uint64_t st = call("wallet", WALLET_SIGN, &sign, sizeof(sign), &sig, sizeof(sig), &failed);
    if (failed)
        return EX_UNAVAILABLE;
    if (st != SVC_OK)
        return refused("wallet", st);
    printf("pay: wallet signed the payment\n");
    memcpy(record.sig, sig.sig, sizeof(record.sig));
    st = call("billing", BILLING_RECORD, &record, sizeof(record), &receipt, sizeof(receipt),
              &failed);
    if (failed)
        return EX_UNAVAILABLE;
    if (st != SVC_OK)
        return refused("billing", st);
    printf("pay: paid ");
    print_amount(r->amount_cents);
    printf(" to %s: ledger entry %" PRIu64 ", total ", r->payee, receipt.seq);
    print_amount(receipt.total);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "channels", required_argument, NULL, 'd' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    int option;
    while ((option = getopt_long(argc, argv, "+d:hV", long_options, NULL)) != -1) {
        switch (option) {
        case 'd':
            channel_dir = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return 0;
        case 'V':
            puts("pay 1.0 (Cella work persona)");
            return 0;
        default:
            fputs("Try 'pay --help'.\n", stderr);
            return EX_USAGE;
        }
    }
    struct request request = { 0 };
    int status = parse_command(argc - optind, argv + optind, &request);
    if (status != 0)
        return status;
    setvbuf(stdout, NULL, _IOLBF, 0);
    switch (request.command) {
    case SEND:
        return send_payment(&request);
    case BALANCE:
        return balance();
    case HISTORY:
        return history(request.history_count);
    }
    return EX_USAGE;
}
