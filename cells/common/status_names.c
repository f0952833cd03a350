/* Statuses in words, for cells and for the persona's pay program alike. */
#include "wallet_protocol.h"

const char *wallet_status_name(uint64_t status)
{
    static const char *const names[] = {
        "malformed request",
        "forbidden on this channel",
        "wrong PIN",
        "locked out",
        "token does not match the request",
        "token expired",
        "token already used",
        "not provisioned",
        "storage error",
        "ledger full",
        "signature does not verify",
        "payment already recorded",
        "not found",
        "not erased",
        "sealed key does not verify",
    };
    if (status == SVC_OK)
        return "ok";
    if (status >= SVC_EMALFORMED && status - SVC_EMALFORMED < sizeof(names) / sizeof(names[0]))
        return names[status - SVC_EMALFORMED];
    return status < SVC_EMALFORMED ? "kernel error" : "unknown status";
}
