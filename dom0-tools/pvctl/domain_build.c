/* SPDX-License-Identifier: MIT */
/*
 * Building a domain: libpvguest's builder driven through libpvctrl (the
 * callbacks of struct pvguest_dom_ops), plus reading the kernel and
 * ramdisk files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain.h"
#include "pvguest.h"

struct build_ctx {
    struct pvctrl *xc;
    uint32_t domid;
};

static int op_populate(void *opaque, uint64_t nr, xen_pfn_t *mfns)
{
    struct build_ctx *b = opaque;
    long done;

    for (uint64_t i = 0; i < nr; i++)
        mfns[i] = i;
    done = pvctrl_populate_physmap(b->xc, b->domid, nr, 0, mfns);
    if (done < 0)
        return (int)done;
    return (uint64_t)done == nr ? 0 : -ENOMEM;
}

static int op_map(void *opaque, const xen_pfn_t *mfns, size_t count,
                  void **addr)
{
    struct build_ctx *b = opaque;
    int err = 0;

    *addr = pvforeign_map(b->xc, b->domid, mfns, count, NULL, &err);
    return *addr ? 0 : err;
}

static int op_unmap(void *opaque, void *addr, size_t count)
{
    struct build_ctx *b = opaque;

    return pvforeign_unmap(b->xc, addr, count);
}

static int op_get_shared_info(void *opaque, xen_pfn_t *mfn)
{
    struct build_ctx *b = opaque;
    struct xen_domctl_getdomaininfo info;
    int rc = pvctrl_domain_getinfo(b->xc, b->domid, &info);

    if (!rc && info.domain != b->domid)
        rc = -ESRCH;
    if (!rc)
        *mfn = info.shared_info_frame;
    return rc;
}

static int op_init_hypercall_page(void *opaque, xen_pfn_t mfn)
{
    struct build_ctx *b = opaque;

    return pvctrl_domain_hypercall_init(b->xc, b->domid, mfn);
}

static int op_pin_l4(void *opaque, xen_pfn_t mfn)
{
    struct build_ctx *b = opaque;

    return pvctrl_pin_table(b->xc, b->domid, 4, mfn);
}

static int op_set_vcpu_context(void *opaque, unsigned int vcpu,
                               const vcpu_guest_context_t *ctx)
{
    struct build_ctx *b = opaque;

    return pvctrl_vcpu_setcontext(b->xc, b->domid, vcpu, ctx);
}

/* Reads a whole file; NULL with errno set on failure. */
static void *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    void *buf = NULL;
    size_t done = 0;

    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        st.st_size > (1LL << 30)) {
        if (!errno || S_ISREG(st.st_mode))
            errno = EINVAL;
        close(fd);
        return NULL;
    }
    buf = malloc((size_t)st.st_size);
    while (buf && done < (size_t)st.st_size) {
        ssize_t n = read(fd, (char *)buf + done, (size_t)st.st_size - done);
        if (n <= 0) {
            free(buf);
            buf = NULL;
            if (!n)
                errno = EIO;
            break;
        }
        done += (size_t)n;
    }
    close(fd);
    *len = done;
    return buf;
}

int domain_build(struct pvctrl *xc, uint32_t domid,
                 const struct domain_config *cfg, uint32_t store_port,
                 uint32_t console_port, struct built_domain *out, char *err,
                 size_t errlen)
{
    struct build_ctx ctx = {.xc = xc, .domid = domid};
    struct pvguest_dom_ops ops = {
        .opaque = &ctx,
        .populate = op_populate,
        .map = op_map,
        .unmap = op_unmap,
        .get_shared_info = op_get_shared_info,
        .init_hypercall_page = op_init_hypercall_page,
        .pin_l4 = op_pin_l4,
        .set_vcpu_context = op_set_vcpu_context,
    };
    struct pvguest_build_params p = {0};
    struct pvguest_build_result *res = NULL;
    struct pvguest_image img;
    void *kernel = NULL, *ramdisk = NULL;
    size_t klen = 0, rlen = 0;
    int rc;

    kernel = read_file(cfg->kernel, &klen);
    if (!kernel) {
        snprintf(err, errlen, "kernel %s: %s", cfg->kernel, strerror(errno));
        return -errno;
    }
    if (cfg->ramdisk[0]) {
        ramdisk = read_file(cfg->ramdisk, &rlen);
        if (!ramdisk) {
            rc = -errno;
            snprintf(err, errlen, "ramdisk %s: %s", cfg->ramdisk,
                     strerror(errno));
            free(kernel);
            return rc;
        }
    }
    rc = pvguest_image_load(kernel, klen, &img, err, errlen);
    free(kernel);
    if (rc) {
        free(ramdisk);
        return rc;
    }
    res = calloc(1, sizeof(*res));
    if (!res) {
        rc = -ENOMEM;
        goto out;
    }
    p.nr_pages = cfg->memory_mib << 8;
    p.ramdisk = ramdisk;
    p.ramdisk_len = rlen;
    p.ramdisk_unmapped = img.mod_start_pfn;
    p.cmdline = cfg->cmdline;
    p.store_evtchn = store_port;
    p.console_evtchn = console_port;
    rc = pvguest_build(&img, &p, &ops, res, err, errlen);
    if (!rc) {
        out->store_mfn = res->store_mfn;
        out->console_mfn = res->console_mfn;
    }
out:
    free(res);
    free(ramdisk);
    pvguest_image_free(&img);
    return rc;
}
