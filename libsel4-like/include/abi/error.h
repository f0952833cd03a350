/* Error codes returned in x7 (and as an invocation's reply label). */
#pragma once

#define ERR_NONE 0
#define ERR_INVALID_ARGUMENT 1 /* detail: the argument's index */
#define ERR_INVALID_CAPABILITY                                                                     \
    2 /* detail: which capability (0 = the invoked one, n = extra cap n) */
#define ERR_ILLEGAL_OPERATION 3
#define ERR_RANGE 4 /* detail: the argument's index */
#define ERR_ALIGNMENT 5
#define ERR_FAILED_LOOKUP 6 /* detail: bits left unresolved */
#define ERR_TRUNCATED_MESSAGE 7
#define ERR_DELETE_FIRST 8       /* the destination slot or mapping is occupied */
#define ERR_REVOKE_FIRST 9       /* the object has derived capabilities */
#define ERR_NOT_ENOUGH_MEMORY 10 /* detail: bytes left in the untyped */
#define ERR_CANCELLED 11         /* the object this thread waited on was destroyed */
#define ERR_INSUFFICIENT_RIGHTS 12
#define ERR_COUNT 13
