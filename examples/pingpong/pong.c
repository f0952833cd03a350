/* Pong: answers every call with its number plus one. */
#include <stdio.h>

#include "pong.cell.h" /* what system.toml gives cell pong: CH_BALL, CH_PONG_CONSOLE */

static unsigned long served;

static void called(struct cell_message *msg)
{
    if (msg->length != 1) {
        msg->reply_label = ERR_INVALID_ARGUMENT;
        return;
    }
    msg->mr[0] += 1;
    msg->reply_label = 0;
    msg->reply_length = 1;
    if (++served % 500 == 0)
        printf("served %lu calls from %s\n", served, cell_peer(msg->from));
}

int main(void)
{
    printf("ready\n");
    cell_serve(&(struct cell_handlers){ .called = called });
}
