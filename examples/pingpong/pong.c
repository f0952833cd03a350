/* Pong: answers every call with its number plus one. */
#include <stdio.h>

#include <cell.h>

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
        printf("served %lu calls from %s\n", served, msg->from->peer);
}

int main(void)
{
    printf("ready\n");
    cell_serve(&(struct cell_handlers){ .called = called });
}
