// SPDX-License-Identifier: MIT
/*
 * libFuzzer target over the console backend's ring code
 * (drivers/console/back/conring.c), playing a hostile guest.  The input
 * is a script of steps, each [op u8][arg u32 little-endian][len u8][len
 * bytes]:
 *
 *   op % 6 = 0  the guest sets out_prod = arg and writes the bytes into
 *               "out" at its index
 *   1           the guest sets in_cons = arg
 *   2           the guest scribbles over out_cons / in_prod (arg) too
 *   3           the backend reads (buffer size len)
 *   4           the backend writes the bytes as input
 *   5           the backend re-attaches (a daemon restart)
 *
 * After every backend call: a result is -EPROTO or a count within the
 * buffer, the backend's private indexes stay coherent with what the page
 * said when it accepted them (never more than a ring apart), and nothing
 * outside the page is touched (ASan).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xencons_interface page;
    struct conring r;
    char buf[4096];

    memset(&page, 0, sizeof(page));
    conring_attach(&r, &page);
    while (size >= 6) {
        uint8_t op = data[0] % 6, len = data[5];
        uint32_t arg;
        long n;

        memcpy(&arg, data + 1, 4);
        data += 6;
        size -= 6;
        if (len > size)
            len = (uint8_t)size;
        switch (op) {
        case 0:
            for (unsigned int i = 0; i < len; i++)
                page.out[MASK_XENCONS_IDX(arg + i, page.out)] = (char)data[i];
            page.out_prod = arg;
            break;
        case 1:
            page.in_cons = arg;
            break;
        case 2:
            page.out_cons = arg;
            page.in_prod = ~arg;
            break;
        case 3: {
            XENCONS_RING_IDX before = r.out_cons;

            n = conring_read(&r, buf, len);
            if (n != -EPROTO && (n < 0 || n > len))
                abort();
            if (n >= 0 && r.out_cons - before != (XENCONS_RING_IDX)n)
                abort();
            if (n > 0 && page.out_cons != r.out_cons)
                abort();
            break;
        }
        case 4: {
            XENCONS_RING_IDX before = r.in_prod;

            n = conring_write(&r, (const char *)data, len);
            if (n != -EPROTO && (n < 0 || n > len))
                abort();
            if (n >= 0 && r.in_prod - before != (XENCONS_RING_IDX)n)
                abort();
            if (n >= 0 && r.in_prod - page.in_cons > sizeof(page.in))
                abort();
            break;
        }
        case 5:
            conring_attach(&r, &page);
            break;
        }
        data += len;
        size -= len;
    }
    return 0;
}
