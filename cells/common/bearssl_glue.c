/*
 * Debian builds libbearssl.a with _FORTIFY_SOURCE against glibc; musl has
 * no fortified functions, so these are glibc's checked versions: they stop
 * the cell (a fault its supervisor reports) rather than overflow.
 */
#include <stddef.h>
#include <string.h>

#include <runtime.h>

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_size);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_size);
void *__memset_chk(void *dst, int c, size_t n, size_t dst_size);

static void overflow(void)
{
    runtime_exit(134);
}

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_size)
{
    if (n > dst_size)
        overflow();
    return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_size)
{
    if (n > dst_size)
        overflow();
    return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_size)
{
    if (n > dst_size)
        overflow();
    return memset(dst, c, n);
}
