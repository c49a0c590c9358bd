/* SPDX-License-Identifier: MIT */
/*
 * libpvguest: the pvisor domain builder core (the analogue of Xen's
 * libxenguest).  It parses a PV kernel (ELF64 x86-64, or a Linux bzImage
 * whose payload is XZ or gzip) and its Xen ELF notes, computes Xen's
 * start-of-day layout, and writes the initial image of a new domain.
 *
 * The library never talks to the hypervisor itself: everything that needs
 * it goes through struct pvguest_dom_ops, which the caller implements
 * (with libpvctrl).  docs/domain-builder.md describes what goes where and
 * why.  Link with $(PVGUEST_LIBS) (-lelf -llzma -lz).
 *
 * Every function returns 0 on success or a negative errno value, and on
 * failure writes a one-line human message into err[errlen] (when err is
 * not NULL).
 */
#ifndef PVGUEST_H
#define PVGUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xen/xen.h>

#define PVGUEST_PAGE_SHIFT 12
#define PVGUEST_PAGE_SIZE  (1ULL << PVGUEST_PAGE_SHIFT)

/* A note, or an address, that the kernel did not give. */
#define PVGUEST_UNSET (~0ULL)

/* Limits on untrusted kernels (see docs/domain-builder.md). */
#define PVGUEST_MAX_SEGMENTS    64           /* loadable PT_LOADs */
#define PVGUEST_MAX_KERNEL_SPAN (1ULL << 30) /* virt_kend - virt_kstart */
#define PVGUEST_MAX_IMAGE_BYTES (512u << 20) /* decompressed ELF */
#define PVGUEST_MAX_PAGES       (1ULL << 32) /* nr_pages of a domain */
/* Largest number of frames the builder asks pvguest_dom_ops.map for. */
#define PVGUEST_MAP_MAX 1024

/* ---------------------------------------------------------- the image */

enum pvguest_format {
    PVGUEST_FORMAT_ELF,          /* a plain ELF file */
    PVGUEST_FORMAT_ELF_GZIP,     /* a gzip-compressed ELF file */
    PVGUEST_FORMAT_ELF_XZ,       /* an XZ-compressed ELF file */
    PVGUEST_FORMAT_BZIMAGE_GZIP, /* bzImage, gzip payload */
    PVGUEST_FORMAT_BZIMAGE_XZ,   /* bzImage, XZ payload */
};

/* One loadable segment, placed at p_paddr + virt_offset. */
struct pvguest_segment {
    uint64_t va;          /* guest virtual address of its first byte */
    uint64_t file_offset; /* of its bytes in pvguest_image.elf */
    uint64_t filesz;      /* bytes copied from the file */
    uint64_t memsz;       /* bytes occupied; the rest is zero-filled */
    uint32_t flags;       /* PF_R | PF_W | PF_X */
};

#define PVGUEST_NOTE_STR_MAX 64

struct pvguest_image {
    enum pvguest_format format;
    uint8_t *elf; /* the ELF file, owned by the image */
    size_t elf_len;

    /* Addresses, after Xen's defaults (libelf-dominfo.c) were applied. */
    uint64_t virt_base;    /* VIRT_BASE, 0 if absent */
    uint64_t paddr_offset; /* PADDR_OFFSET, 0 if absent */
    uint64_t virt_offset;  /* virt_base - paddr_offset */
    uint64_t entry;        /* ENTRY, else e_entry */
    uint64_t virt_kstart;  /* lowest segment VA (page aligned) */
    uint64_t virt_kend;    /* end of the highest segment */

    /* Numeric notes, PVGUEST_UNSET when absent. */
    uint64_t hypercall_page; /* HYPERCALL_PAGE: VA to fill */
    uint64_t init_p2m;       /* INIT_P2M (parsed, not honoured) */
    uint64_t hv_start_low;   /* HV_START_LOW (32-bit meaning only) */
    uint64_t phys32_entry;   /* PHYS32_ENTRY (PVH; unused for PV) */
    uint64_t l1_mfn_valid_mask, l1_mfn_valid_value;
    bool mod_start_pfn;  /* MOD_START_PFN != 0: initrd may be unmapped */
    bool suspend_cancel; /* SUSPEND_CANCEL != 0 */

    /* String notes, NUL-terminated, truncated for display. */
    char xen_version[PVGUEST_NOTE_STR_MAX];
    char guest_os[PVGUEST_NOTE_STR_MAX];
    char guest_version[PVGUEST_NOTE_STR_MAX];
    char loader[PVGUEST_NOTE_STR_MAX];
    char pae_mode[PVGUEST_NOTE_STR_MAX];
    char features[4 * PVGUEST_NOTE_STR_MAX];

    /* XENFEAT_* bitmaps: FEATURES and SUPPORTED_FEATURES. */
    uint32_t f_supported;
    uint32_t f_required;

    unsigned int nr_xen_notes;
    bool notes_from_sections; /* no PT_NOTE had Xen notes: SHT_NOTE used */

    unsigned int nr_segments;
    struct pvguest_segment seg[PVGUEST_MAX_SEGMENTS]; /* in file order */
};

/*
 * Parses a kernel: an ELF64 x86-64 PV kernel, a gzip- or XZ-compressed
 * one, or a bzImage (boot protocol >= 2.08) with a gzip or XZ payload.
 * data is untrusted and is not referenced after the call: the image owns
 * a copy of the ELF file.  On success *img must be released with
 * pvguest_image_free(); on failure *img holds nothing to release.
 * Errors: -ENOEXEC (not a loadable PV kernel, malformed), -EOPNOTSUPP
 * (a valid kernel pvisor cannot run: 32-bit, other compressions,
 * auto-translated or dom0-only), -EFBIG (over a size limit), -ENOMEM.
 */
int pvguest_image_load(const void *data, size_t len, struct pvguest_image *img,
                       char *err, size_t errlen);
void pvguest_image_free(struct pvguest_image *img);

/* --------------------------------------------------------- the layout */

struct pvguest_layout_params {
    uint64_t nr_pages;    /* the domain's memory in pages (p2m size) */
    uint64_t ramdisk_len; /* bytes; 0 for none */
    /*
     * Place the ramdisk after the mapped region, unmapped, and pass its
     * first PFN (SIF_MOD_START_PFN) -- only done when the kernel has the
     * MOD_START_PFN note; otherwise the ramdisk is mapped.
     */
    bool ramdisk_unmapped;
};

/* A run of pages: PFNs [pfn, pfn + pages), VA virt_base + pfn * 4096. */
struct pvguest_range {
    uint64_t pfn;
    uint64_t pages;
};

/*
 * Xen's start-of-day layout (xen/xen.h "Start-of-day memory layout",
 * tools/libs/guest/xg_dom_core.c and xg_dom_x86.c).  The mapped region is
 * [virt_base, virt_end) = PFNs [0, region_pages), in this order: RAM below
 * the kernel, kernel, mapped ramdisk, p2m list, start_info, xenstore ring,
 * console ring, page tables ([L4][L3s][L2s][L1s]), boot stack, padding.
 */
struct pvguest_layout {
    uint64_t virt_base;
    uint64_t virt_end; /* a 4 MiB boundary */
    uint64_t nr_pages;
    uint64_t region_pages; /* (virt_end - virt_base) / 4096 */

    struct pvguest_range kernel;
    struct pvguest_range ramdisk; /* pages == 0: none */
    bool ramdisk_mapped;
    uint64_t ramdisk_len;
    struct pvguest_range p2m;
    uint64_t start_info_pfn;
    uint64_t xenstore_pfn;
    uint64_t console_pfn;
    struct pvguest_range pt;         /* all page-table frames, L4 first */
    uint64_t l3_pfn, l2_pfn, l1_pfn; /* first frame of each level */
    unsigned int nr_l3, nr_l2, nr_l1;
    uint64_t stack_pfn;
    struct pvguest_range padding; /* after the stack, up to virt_end */
    unsigned int pt_iterations;   /* rounds until the table count settled */

    /* What start_info will say. */
    uint32_t si_flags;  /* SIF_VIRT_P2M_4TOOLS [| SIF_MOD_START_PFN] */
    uint64_t mod_start; /* VA, or first PFN with SIF_MOD_START_PFN */
    uint64_t mod_len;   /* ramdisk bytes */
};

/*
 * Computes the layout of img in a domain of p->nr_pages pages.
 * Errors: -ENOMEM (the region or the ramdisk does not fit in nr_pages),
 * -ERANGE (the region wraps, leaves canonical guest space, or -- for
 * GUEST_OS "linux" -- ends above virt_base + 1 GiB), -EINVAL.
 */
int pvguest_layout_compute(const struct pvguest_image *img,
                           const struct pvguest_layout_params *p,
                           struct pvguest_layout *lay, char *err,
                           size_t errlen);

/* ---------------------------------------------------------- building */

/*
 * What the builder needs from the hypervisor.  Each returns 0 or a
 * negative errno; opaque is pvguest_dom_ops.opaque.  The builder calls
 * them from one thread, in the order documented in docs/domain-builder.md.
 */
struct pvguest_dom_ops {
    void *opaque;

    /*
     * Gives the domain nr_pages new frames (XENMEM_populate_physmap) and
     * writes the MFN backing PFN i into mfns[i] for every i < nr_pages.
     * Every frame must have been scrubbed by the hypervisor with stores
     * made inside the machine.  All or nothing: on failure the domain
     * owns no frame from this call.
     */
    int (*populate)(void *opaque, uint64_t nr_pages, xen_pfn_t *mfns);

    /*
     * Maps count (1..PVGUEST_MAP_MAX) frames of the domain readable and
     * writable at consecutive host pages, mfns[0] first, and stores the
     * start in *addr.  The shared_info frame is mapped this way too.
     */
    int (*map)(void *opaque, const xen_pfn_t *mfns, size_t count, void **addr);

    /*
     * Undoes one map() (same addr and count).  When it returns, every
     * store the builder made through the mapping is in guest memory and
     * the host holds no mapping of those frames from this call.
     */
    int (*unmap)(void *opaque, void *addr, size_t count);

    /* The MFN of the domain's shared_info page (getdomaininfo). */
    int (*get_shared_info)(void *opaque, xen_pfn_t *mfn);

    /*
     * Has the hypervisor write the hypercall page into the domain's frame
     * mfn (XEN_DOMCTL_hypercall_init).  Called once, after the kernel is
     * in place, only when the kernel has a HYPERCALL_PAGE note.
     */
    int (*init_hypercall_page)(void *opaque, xen_pfn_t mfn);

    /*
     * Validates and pins mfn as an L4 table (MMUEXT_PIN_L4_TABLE for the
     * domain).  Called when the builder holds no mapping of any frame.
     */
    int (*pin_l4)(void *opaque, xen_pfn_t mfn);

    /* Sets the context of vCPU vcpu (XEN_DOMCTL_setvcpucontext). */
    int (*set_vcpu_context)(void *opaque, unsigned int vcpu,
                            const vcpu_guest_context_t *ctx);
};

struct pvguest_build_params {
    uint64_t nr_pages;   /* the domain's memory in pages */
    const void *ramdisk; /* NULL when ramdisk_len is 0 */
    size_t ramdisk_len;
    bool ramdisk_unmapped;   /* see pvguest_layout_params */
    const char *cmdline;     /* NULL: empty; at most 1023 bytes */
    uint32_t store_evtchn;   /* 0 when the caller has none */
    uint32_t console_evtchn; /* 0 when the caller has none */
};

struct pvguest_build_result {
    struct pvguest_layout layout;
    xen_pfn_t shared_info_mfn;
    xen_pfn_t start_info_mfn;
    xen_pfn_t store_mfn;   /* for XS_INTRODUCE */
    xen_pfn_t console_mfn; /* for the console backend */
    xen_pfn_t l4_mfn;
    vcpu_guest_context_t ctx; /* what set_vcpu_context received */
};

/*
 * Builds the domain: populates its memory, writes kernel, ramdisk, p2m,
 * start_info, rings, page tables and stack, initialises shared_info,
 * fills the hypercall page, pins the L4 and sets vCPU 0's context.  The
 * domain stays paused; the caller unpauses it.  On failure the domain is
 * half-built and must be destroyed; nothing stays mapped.
 * Errors: those of pvguest_layout_compute(), the callbacks' own, -EINVAL
 * (bad parameters, or MFNs from populate that are invalid or repeated),
 * -E2BIG (cmdline too long), -ENOMEM.
 */
int pvguest_build(const struct pvguest_image *img,
                  const struct pvguest_build_params *p,
                  const struct pvguest_dom_ops *ops,
                  struct pvguest_build_result *res, char *err, size_t errlen);

#endif /* PVGUEST_H */
