/* SPDX-License-Identifier: MIT */
/* libxsl's libuv client as the backend skeleton's store (xenbus_back.h). */
#include <string.h>

#include "xenbus_back.h"
#include "xsl.h"

static int xsl_read_op(void *store, const char *path, xb_store_cb cb,
                       void *arg)
{
    return xsl_async_read(store, XSL_NO_TXN, path, cb, arg);
}

static int xsl_write_op(void *store, const char *path, const char *value,
                        xb_store_cb cb, void *arg)
{
    return xsl_async_write(store, XSL_NO_TXN, path, value, strlen(value), cb,
                           arg);
}

static void ignore(int err, const char *data, size_t len, void *arg)
{
    (void)err;
    (void)data;
    (void)len;
    (void)arg;
}

static int xsl_watch_op(void *store, const char *path, const char *token)
{
    return xsl_async_watch(store, path, token, ignore, NULL);
}

static int xsl_unwatch_op(void *store, const char *path, const char *token)
{
    return xsl_async_unwatch(store, path, token, ignore, NULL);
}

static int xsl_directory_op(void *store, const char *path, xb_store_cb cb,
                            void *arg)
{
    return xsl_async_directory(store, XSL_NO_TXN, path, cb, arg);
}

const struct xb_store_ops xb_store_xsl = {
    .read = xsl_read_op,
    .write = xsl_write_op,
    .watch = xsl_watch_op,
    .unwatch = xsl_unwatch_op,
    .directory = xsl_directory_op,
};
