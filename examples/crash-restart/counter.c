/* The counter: its count lives on across restarts of its clients. It answers whoever calls it,
 * over any channel, so it declares no end of its own (cell.h), and several systems use it. */
#include <stdio.h>

#include <cell.h>

static uint64_t count;

static void called(struct cell_message *msg)
{
    msg->mr[0] = ++count;
    msg->reply_label = 0;
    msg->reply_length = 1;
}

int main(void)
{
    cell_serve(&(struct cell_handlers){ .called = called });
}
