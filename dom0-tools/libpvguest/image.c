/* SPDX-License-Identifier: MIT */
/*
 * Kernel image parsing: recognise the container (ELF, compressed ELF,
 * bzImage), then read the ELF with Debian's libelf (elfutils) and apply
 * Xen's rules for PV kernels to its program headers and Xen ELF notes.
 *
 * The rules are those of Xen's xen/common/libelf/libelf-dominfo.c and
 * tools/libs/guest/xg_dom_elfloader.c / xg_dom_x86.c:
 *   - notes named "Xen" come from PT_NOTE segments (skipping those with
 *     p_offset 0, which old binutils wrote), and only when none of those
 *     holds a Xen note, from SHT_NOTE sections; at most 65536 notes;
 *   - LOADER must start with "generic" or GUEST_OS with "linux", and
 *     XEN_VERSION must start with "xen-3.0";
 *   - PADDR_OFFSET without VIRT_BASE is an error; VIRT_BASE defaults to 0,
 *     PADDR_OFFSET to 0, ENTRY to e_entry;
 *   - a loadable segment (PT_LOAD with any of R/W/X) is placed at
 *     p_paddr + VIRT_BASE - PADDR_OFFSET, never at p_vaddr;
 *   - virt_base <= virt_kstart <= entry, and INIT_P2M not inside the
 *     kernel;
 *   - FEATURES with an unknown required ("!") feature, or requiring
 *     auto_translated_physmap or dom0, is refused.
 * Stricter than Xen, because this parser takes untrusted files: numeric
 * notes must be 1, 2, 4 or 8 bytes (Xen reads others as 0), entry must be
 * below virt_kend (Xen allows equal), segments may not overlap, wrap, lie
 * outside the file or have filesz > memsz, virt_base and virt_kstart must
 * be page aligned (Xen's builder fails later otherwise), the kernel must
 * lie in canonical guest space and span at most PVGUEST_MAX_KERNEL_SPAN,
 * and a HYPERCALL_PAGE must be a page inside the kernel.
 */
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xen/elfnote.h>
#include <xen/features.h>

#include "pvguest_priv.h"

#define MAX_TOTAL_NOTES 65536 /* Xen's ELF_MAX_TOTAL_NOTE_COUNT */
#define MAX_NOTE_DESC   4096  /* Xen's ELF_MAX_STRING_LENGTH */

/* Guest-usable canonical address space (xen/arch-x86/xen-x86_64.h). */
#define LOW_HALF_END     0x0000800000000000ULL
#define GUEST_HIGH_START __HYPERVISOR_VIRT_END

int pvguest__fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

#define FAIL(rc, ...) pvguest__fail(err, errlen, rc, __VA_ARGS__)

/* ---------------------------------------------------------- the notes */

/* What the notes said, before Xen's defaults are applied. */
struct notes {
    unsigned int nr_xen, nr_total;
    uint64_t virt_base, paddr_offset, entry;
};

static const struct {
    unsigned int bit;
    const char *name;
} feature_names[] = {
    {XENFEAT_writable_page_tables, "writable_page_tables"},
    {XENFEAT_writable_descriptor_tables, "writable_descriptor_tables"},
    {XENFEAT_auto_translated_physmap, "auto_translated_physmap"},
    {XENFEAT_supervisor_mode_kernel, "supervisor_mode_kernel"},
    {XENFEAT_pae_pgdir_above_4gb, "pae_pgdir_above_4gb"},
    {XENFEAT_hvm_callback_vector, "hvm_callback_vector"},
    {XENFEAT_dom0, "dom0"},
};

/* Parses FEATURES: names separated by '|', '!' marks a required one. */
static int parse_features(struct pvguest_image *img, const char *s, size_t len,
                          char *err, size_t errlen)
{
    size_t pos = 0;

    while (pos < len) {
        const char *tok = s + pos;
        const char *bar = memchr(tok, '|', len - pos);
        size_t tlen = bar ? (size_t)(bar - tok) : len - pos;
        bool required = tlen > 0 && tok[0] == '!';
        const char *name = tok + required;
        size_t nlen = tlen - required;
        unsigned int i;

        pos += tlen + 1;
        for (i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
            if (strlen(feature_names[i].name) == nlen &&
                memcmp(feature_names[i].name, name, nlen) == 0)
                break;
        }
        if (i == sizeof(feature_names) / sizeof(feature_names[0])) {
            if (required)
                return FAIL(-EOPNOTSUPP,
                            "kernel requires unknown feature '%.*s'",
                            (int)(nlen > 64 ? 64 : nlen), name);
            continue;
        }
        img->f_supported |= 1u << feature_names[i].bit;
        if (required)
            img->f_required |= 1u << feature_names[i].bit;
    }
    return 0;
}

/* A string note: the bytes up to the first NUL or the end of desc. */
static void note_string(char *dst, size_t dstlen, const char *desc,
                        size_t descsz)
{
    size_t n = strnlen(desc, descsz);

    if (n >= dstlen)
        n = dstlen - 1;
    memcpy(dst, desc, n);
    dst[n] = '\0';
}

static uint64_t get_le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;

    while (n--)
        v = v << 8 | p[n];
    return v;
}

static const char *note_name(unsigned int type)
{
    static const char *const names[] = {
        [XEN_ELFNOTE_ENTRY] = "ENTRY",
        [XEN_ELFNOTE_HYPERCALL_PAGE] = "HYPERCALL_PAGE",
        [XEN_ELFNOTE_VIRT_BASE] = "VIRT_BASE",
        [XEN_ELFNOTE_PADDR_OFFSET] = "PADDR_OFFSET",
        [XEN_ELFNOTE_HV_START_LOW] = "HV_START_LOW",
        [XEN_ELFNOTE_SUSPEND_CANCEL] = "SUSPEND_CANCEL",
        [XEN_ELFNOTE_INIT_P2M] = "INIT_P2M",
        [XEN_ELFNOTE_MOD_START_PFN] = "MOD_START_PFN",
        [XEN_ELFNOTE_PHYS32_ENTRY] = "PHYS32_ENTRY",
        [XEN_ELFNOTE_SUPPORTED_FEATURES] = "SUPPORTED_FEATURES",
    };

    if (type < sizeof(names) / sizeof(names[0]) && names[type])
        return names[type];
    return "?";
}

/* Applies one note named "Xen". */
static int parse_xen_note(struct pvguest_image *img, struct notes *n,
                          unsigned int type, const uint8_t *desc, size_t descsz,
                          char *err, size_t errlen)
{
    const char *s = (const char *)desc;
    uint64_t v = 0;

    if (descsz > MAX_NOTE_DESC)
        return FAIL(-ENOEXEC, "Xen note %u has an absurd %zu-byte value", type,
                    descsz);

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
    case XEN_ELFNOTE_HYPERCALL_PAGE:
    case XEN_ELFNOTE_VIRT_BASE:
    case XEN_ELFNOTE_PADDR_OFFSET:
    case XEN_ELFNOTE_HV_START_LOW:
    case XEN_ELFNOTE_SUSPEND_CANCEL:
    case XEN_ELFNOTE_INIT_P2M:
    case XEN_ELFNOTE_MOD_START_PFN:
    case XEN_ELFNOTE_PHYS32_ENTRY:
        if (descsz != 1 && descsz != 2 && descsz != 4 && descsz != 8)
            return FAIL(-ENOEXEC,
                        "Xen note %s has a %zu-byte value (1, 2, 4 or 8 "
                        "expected)",
                        note_name(type), descsz);
        v = get_le(desc, descsz);
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        if (descsz == 0 || descsz % 4)
            return FAIL(-ENOEXEC,
                        "Xen note SUPPORTED_FEATURES has a %zu-byte value "
                        "(a multiple of 4 expected)",
                        descsz);
        break;
    }

    switch (type) {
    case XEN_ELFNOTE_ENTRY:
        n->entry = v;
        break;
    case XEN_ELFNOTE_HYPERCALL_PAGE:
        img->hypercall_page = v;
        break;
    case XEN_ELFNOTE_VIRT_BASE:
        n->virt_base = v;
        break;
    case XEN_ELFNOTE_PADDR_OFFSET:
        n->paddr_offset = v;
        break;
    case XEN_ELFNOTE_HV_START_LOW:
        img->hv_start_low = v;
        break;
    case XEN_ELFNOTE_SUSPEND_CANCEL:
        img->suspend_cancel = v != 0;
        break;
    case XEN_ELFNOTE_INIT_P2M:
        img->init_p2m = v;
        break;
    case XEN_ELFNOTE_MOD_START_PFN:
        img->mod_start_pfn = v != 0;
        break;
    case XEN_ELFNOTE_PHYS32_ENTRY:
        img->phys32_entry = v;
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        /* XENFEAT_NR_SUBMAPS words; later ones name nothing yet. */
        img->f_supported |= (uint32_t)get_le(desc, 4);
        break;
    case XEN_ELFNOTE_L1_MFN_VALID:
        /* Mask/value pairs, for save/restore only: keep the first. */
        if (descsz >= 16 && descsz % 16 == 0) {
            img->l1_mfn_valid_mask = get_le(desc, 8);
            img->l1_mfn_valid_value = get_le(desc + 8, 8);
        } else if (descsz == 8) {
            img->l1_mfn_valid_mask = get_le(desc, 4);
            img->l1_mfn_valid_value = get_le(desc + 4, 4);
        }
        break;
    case XEN_ELFNOTE_XEN_VERSION:
        note_string(img->xen_version, sizeof(img->xen_version), s, descsz);
        break;
    case XEN_ELFNOTE_GUEST_OS:
        note_string(img->guest_os, sizeof(img->guest_os), s, descsz);
        break;
    case XEN_ELFNOTE_GUEST_VERSION:
        note_string(img->guest_version, sizeof(img->guest_version), s, descsz);
        break;
    case XEN_ELFNOTE_LOADER:
        note_string(img->loader, sizeof(img->loader), s, descsz);
        break;
    case XEN_ELFNOTE_PAE_MODE:
        note_string(img->pae_mode, sizeof(img->pae_mode), s, descsz);
        break;
    case XEN_ELFNOTE_FEATURES:
        note_string(img->features, sizeof(img->features), s, descsz);
        return parse_features(img, s, strnlen(s, descsz), err, errlen);
    default:
        /* INFO, BSD_SYMTAB and unknown types: nothing to do for x86 PV. */
        break;
    }
    return 0;
}

/* Walks the notes in [off, off + size) of the file. */
static int parse_note_area(struct pvguest_image *img, Elf *e, struct notes *n,
                           uint64_t off, uint64_t size, uint64_t align,
                           char *err, size_t errlen)
{
    Elf_Data *d;
    GElf_Nhdr nh;
    size_t pos = 0, next, name_off, desc_off;
    int rc;

    if (size == 0)
        return 0;
    if (off > img->elf_len || size > img->elf_len - off)
        return FAIL(-ENOEXEC,
                    "note area [%#llx, +%#llx) lies outside the %zu-byte "
                    "file",
                    (unsigned long long)off, (unsigned long long)size,
                    img->elf_len);
    d = elf_getdata_rawchunk(e, (int64_t)off, size,
                             align == 8 ? ELF_T_NHDR8 : ELF_T_NHDR);
    if (!d)
        return FAIL(-ENOEXEC, "cannot read notes: %s", elf_errmsg(-1));
    /* gelf_getnote() bounds every note by d_size and returns 0 at end. */
    while (pos < d->d_size &&
           (next = gelf_getnote(d, pos, &nh, &name_off, &desc_off)) > 0) {
        const char *name = (const char *)d->d_buf + name_off;

        if (++n->nr_total > MAX_TOTAL_NOTES)
            return FAIL(-ENOEXEC, "more than %u ELF notes", MAX_TOTAL_NOTES);
        pos = next;
        if (!((nh.n_namesz == 4 && memcmp(name, "Xen", 4) == 0) ||
              (nh.n_namesz == 3 && memcmp(name, "Xen", 3) == 0)))
            continue;
        rc = parse_xen_note(img, n, nh.n_type,
                            (const uint8_t *)d->d_buf + desc_off, nh.n_descsz,
                            err, errlen);
        if (rc)
            return rc;
        n->nr_xen++;
    }
    return 0;
}

static int parse_notes(struct pvguest_image *img, Elf *e, const GElf_Ehdr *eh,
                       size_t phnum, struct notes *n, char *err, size_t errlen)
{
    Elf_Scn *scn = NULL;
    GElf_Phdr ph;
    GElf_Shdr sh;
    size_t shnum;
    int rc;

    for (size_t i = 0; i < phnum; i++) {
        if (!gelf_getphdr(e, (int)i, &ph))
            return FAIL(-ENOEXEC, "bad program header %zu: %s", i,
                        elf_errmsg(-1));
        /* Some binutils wrote PT_NOTEs with p_offset 0: skip as Xen does. */
        if (ph.p_type != PT_NOTE || ph.p_offset == 0)
            continue;
        rc = parse_note_area(img, e, n, ph.p_offset, ph.p_filesz, ph.p_align,
                             err, errlen);
        if (rc)
            return rc;
    }
    if (n->nr_xen)
        return 0;

    /* No Xen note in a segment: fall back to SHT_NOTE sections. */
    shnum = eh->e_shnum; /* 0 with e_shoff set: the count is in shdr 0 */
    if (shnum == 0 && eh->e_shoff != 0 && elf_getshdrnum(e, &shnum) != 0)
        return FAIL(-ENOEXEC, "bad section header count: %s", elf_errmsg(-1));
    if (shnum &&
        (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > img->elf_len ||
         shnum > (img->elf_len - eh->e_shoff) / sizeof(Elf64_Shdr)))
        return FAIL(-ENOEXEC,
                    "%zu section headers at %#llx do not fit in the file",
                    shnum, (unsigned long long)eh->e_shoff);
    while ((scn = elf_nextscn(e, scn)) != NULL) {
        if (!gelf_getshdr(scn, &sh))
            return FAIL(-ENOEXEC, "bad section header: %s", elf_errmsg(-1));
        if (sh.sh_type != SHT_NOTE)
            continue;
        rc = parse_note_area(img, e, n, sh.sh_offset, sh.sh_size,
                             sh.sh_addralign, err, errlen);
        if (rc)
            return rc;
    }
    img->notes_from_sections = n->nr_xen > 0;
    return 0;
}

/* ------------------------------------------------------- the segments */

static int parse_segments(struct pvguest_image *img, Elf *e, size_t phnum,
                          uint64_t *pstart, uint64_t *pend, char *err,
                          size_t errlen)
{
    uint64_t paddr[PVGUEST_MAX_SEGMENTS];
    GElf_Phdr ph;
    unsigned int nr = 0;

    *pstart = UINT64_MAX;
    *pend = 0;
    for (size_t i = 0; i < phnum; i++) {
        if (!gelf_getphdr(e, (int)i, &ph))
            return FAIL(-ENOEXEC, "bad program header %zu: %s", i,
                        elf_errmsg(-1));
        /* Xen's elf_phdr_is_loadable(); empty segments load nothing. */
        if (ph.p_type != PT_LOAD || !(ph.p_flags & (PF_R | PF_W | PF_X)) ||
            ph.p_memsz == 0)
            continue;
        if (nr == PVGUEST_MAX_SEGMENTS)
            return FAIL(-EFBIG, "more than %d loadable segments",
                        PVGUEST_MAX_SEGMENTS);
        if (ph.p_filesz > ph.p_memsz)
            return FAIL(-ENOEXEC,
                        "segment %zu: filesz %#llx is larger than memsz "
                        "%#llx",
                        i, (unsigned long long)ph.p_filesz,
                        (unsigned long long)ph.p_memsz);
        if (ph.p_filesz && (ph.p_offset > img->elf_len ||
                            ph.p_filesz > img->elf_len - ph.p_offset))
            return FAIL(-ENOEXEC,
                        "segment %zu: bytes [%#llx, +%#llx) lie outside "
                        "the %zu-byte file",
                        i, (unsigned long long)ph.p_offset,
                        (unsigned long long)ph.p_filesz, img->elf_len);
        if (ph.p_memsz > PVGUEST_MAX_KERNEL_SPAN ||
            ph.p_paddr > UINT64_MAX - ph.p_memsz)
            return FAIL(-ENOEXEC,
                        "segment %zu: paddr %#llx + memsz %#llx wraps or "
                        "is absurd",
                        i, (unsigned long long)ph.p_paddr,
                        (unsigned long long)ph.p_memsz);
        paddr[nr] = ph.p_paddr;
        img->seg[nr] = (struct pvguest_segment){
            .file_offset = ph.p_offset,
            .filesz = ph.p_filesz,
            .memsz = ph.p_memsz,
            .flags = ph.p_flags,
        };
        if (ph.p_paddr < *pstart)
            *pstart = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > *pend)
            *pend = ph.p_paddr + ph.p_memsz;
        nr++;
    }
    if (nr == 0)
        return FAIL(-ENOEXEC, "no loadable segment");

    /* No two segments may share a byte (checked pairwise: nr <= 64). */
    for (unsigned int i = 0; i < nr; i++) {
        for (unsigned int j = i + 1; j < nr; j++) {
            if (paddr[i] < paddr[j] + img->seg[j].memsz &&
                paddr[j] < paddr[i] + img->seg[i].memsz)
                return FAIL(
                    -ENOEXEC, "segments at paddr %#llx and %#llx overlap",
                    (unsigned long long)paddr[i], (unsigned long long)paddr[j]);
        }
    }
    img->nr_segments = nr;
    /* Placed later, once virt_offset is known: keep paddr in va. */
    for (unsigned int i = 0; i < nr; i++)
        img->seg[i].va = paddr[i];
    return 0;
}

/* ------------------------------------------------- the rules, applied */

static bool prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

static int apply_rules(struct pvguest_image *img, const struct notes *n,
                       uint64_t e_entry, uint64_t pstart, uint64_t pend,
                       char *err, size_t errlen)
{
    uint64_t span = pend - pstart;

    if (n->nr_xen == 0)
        return FAIL(-ENOEXEC, "no Xen ELF notes: not a Xen PV kernel");
    if (!prefix(img->loader, "generic") && !prefix(img->guest_os, "linux"))
        return FAIL(-ENOEXEC,
                    "will only load kernels for the generic loader or Linux "
                    "(LOADER '%s', GUEST_OS '%s')",
                    img->loader, img->guest_os);
    if (!prefix(img->xen_version, "xen-3.0"))
        return FAIL(-ENOEXEC,
                    "XEN_VERSION '%s' is not xen-3.0 (the only PV ABI)",
                    img->xen_version);
    if (img->f_required & (1u << XENFEAT_auto_translated_physmap))
        return FAIL(-EOPNOTSUPP, "kernel requires auto_translated_physmap "
                                 "(PV auto-translate is not supported)");
    if (img->f_required & (1u << XENFEAT_dom0))
        return FAIL(-EOPNOTSUPP, "kernel requires dom0 (it cannot run as an "
                                 "unprivileged domain)");
    if (n->paddr_offset != PVGUEST_UNSET && n->virt_base == PVGUEST_UNSET)
        return FAIL(-ENOEXEC, "PADDR_OFFSET given without VIRT_BASE");

    img->virt_base = n->virt_base == PVGUEST_UNSET ? 0 : n->virt_base;
    img->paddr_offset = n->paddr_offset == PVGUEST_UNSET ? 0 : n->paddr_offset;
    img->virt_offset = img->virt_base - img->paddr_offset;
    img->entry = n->entry == PVGUEST_UNSET ? e_entry : n->entry;

    /* Segment VAs must rise with paddr: [kstart, kend) may not wrap. */
    img->virt_kstart = pstart + img->virt_offset;
    if (span > PVGUEST_MAX_KERNEL_SPAN)
        return FAIL(-EFBIG, "kernel spans %#llx bytes (limit %#llx)",
                    (unsigned long long)span,
                    (unsigned long long)PVGUEST_MAX_KERNEL_SPAN);
    if (img->virt_kstart > UINT64_MAX - span)
        return FAIL(-ENOEXEC, "kernel at %#llx + %#llx wraps",
                    (unsigned long long)img->virt_kstart,
                    (unsigned long long)span);
    img->virt_kend = img->virt_kstart + span;
    for (unsigned int i = 0; i < img->nr_segments; i++)
        img->seg[i].va = img->seg[i].va - pstart + img->virt_kstart;

    if (img->virt_base & (PVGUEST_PAGE_SIZE - 1))
        return FAIL(-ENOEXEC, "VIRT_BASE %#llx is not page aligned",
                    (unsigned long long)img->virt_base);
    if (img->virt_kstart & (PVGUEST_PAGE_SIZE - 1))
        return FAIL(-ENOEXEC, "kernel start %#llx is not page aligned",
                    (unsigned long long)img->virt_kstart);
    if (img->virt_base > img->virt_kstart || img->entry < img->virt_kstart ||
        img->entry >= img->virt_kend)
        return FAIL(-ENOEXEC,
                    "addresses out of order: need virt_base %#llx <= "
                    "kstart %#llx <= entry %#llx < kend %#llx",
                    (unsigned long long)img->virt_base,
                    (unsigned long long)img->virt_kstart,
                    (unsigned long long)img->entry,
                    (unsigned long long)img->virt_kend);
    if (!(img->virt_kend <= LOW_HALF_END ||
          img->virt_kstart >= GUEST_HIGH_START))
        return FAIL(-ENOEXEC,
                    "kernel [%#llx, %#llx) is not in canonical guest space",
                    (unsigned long long)img->virt_kstart,
                    (unsigned long long)img->virt_kend);
    if (img->hypercall_page != PVGUEST_UNSET &&
        ((img->hypercall_page & (PVGUEST_PAGE_SIZE - 1)) ||
         img->hypercall_page < img->virt_kstart ||
         img->hypercall_page >= img->virt_kend))
        return FAIL(-ENOEXEC,
                    "HYPERCALL_PAGE %#llx is not a page of the kernel",
                    (unsigned long long)img->hypercall_page);
    if (img->init_p2m != PVGUEST_UNSET && img->init_p2m >= img->virt_kstart &&
        img->init_p2m < img->virt_kend)
        return FAIL(-ENOEXEC, "INIT_P2M %#llx lies inside the kernel",
                    (unsigned long long)img->init_p2m);
    return 0;
}

static int parse_elf(struct pvguest_image *img, char *err, size_t errlen)
{
    const unsigned char *id = img->elf;
    struct notes n = {0, 0, PVGUEST_UNSET, PVGUEST_UNSET, PVGUEST_UNSET};
    uint64_t pstart, pend;
    GElf_Ehdr eh;
    size_t phnum;
    Elf *e;
    int rc;

    if (img->elf_len < sizeof(Elf64_Ehdr))
        return FAIL(-ENOEXEC, "ELF file of %zu bytes is truncated",
                    img->elf_len);
    if (id[EI_CLASS] == ELFCLASS32)
        return FAIL(-EOPNOTSUPP, "32-bit PV kernels are not supported");
    if (id[EI_CLASS] != ELFCLASS64 || id[EI_DATA] != ELFDATA2LSB ||
        id[EI_VERSION] != EV_CURRENT)
        return FAIL(-ENOEXEC, "not a little-endian ELF64 version 1 file");

    elf_version(EV_CURRENT);
    e = elf_memory((char *)img->elf, img->elf_len);
    if (!e)
        return FAIL(-ENOEXEC, "corrupt ELF file: %s", elf_errmsg(-1));
    if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
        rc = FAIL(-ENOEXEC, "corrupt ELF header: %s", elf_errmsg(-1));
        goto out;
    }
    if (eh.e_machine != EM_X86_64) {
        rc = FAIL(-EOPNOTSUPP, "ELF machine %u is not x86-64", eh.e_machine);
        goto out;
    }
    if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) {
        rc = FAIL(-ENOEXEC, "ELF type %u is not an executable", eh.e_type);
        goto out;
    }
    phnum = eh.e_phnum; /* PN_XNUM: the count is in section header 0 */
    if (phnum == PN_XNUM && elf_getphdrnum(e, &phnum) != 0) {
        rc = FAIL(-ENOEXEC, "bad program header count: %s", elf_errmsg(-1));
        goto out;
    }
    if (phnum == 0) {
        rc = FAIL(-ENOEXEC, "no program headers");
        goto out;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > img->elf_len ||
        phnum > (img->elf_len - eh.e_phoff) / sizeof(Elf64_Phdr)) {
        rc = FAIL(-ENOEXEC,
                  "%zu program headers of %u bytes at %#llx do not fit in "
                  "the file",
                  phnum, eh.e_phentsize, (unsigned long long)eh.e_phoff);
        goto out;
    }
    rc = parse_segments(img, e, phnum, &pstart, &pend, err, errlen);
    if (rc)
        goto out;
    rc = parse_notes(img, e, &eh, phnum, &n, err, errlen);
    if (rc)
        goto out;
    img->nr_xen_notes = n.nr_xen;
    rc = apply_rules(img, &n, eh.e_entry, pstart, pend, err, errlen);
out:
    elf_end(e);
    return rc;
}

/* ------------------------------------------------------------- entry */

static int take_copy(struct pvguest_image *img, const uint8_t *data, size_t len,
                     char *err, size_t errlen)
{
    if (len > PVGUEST_MAX_IMAGE_BYTES)
        return FAIL(-EFBIG, "kernel of %zu bytes is larger than %u MiB", len,
                    PVGUEST_MAX_IMAGE_BYTES >> 20);
    img->elf = malloc(len ? len : 1);
    if (!img->elf)
        return FAIL(-ENOMEM, "out of memory for a %zu-byte kernel", len);
    memcpy(img->elf, data, len);
    img->elf_len = len;
    return 0;
}

/* Fills img->elf from data: an ELF, a compressed ELF or a bzImage. */
static int unwrap(struct pvguest_image *img, const uint8_t *data, size_t len,
                  char *err, size_t errlen)
{
    const uint8_t *payload;
    size_t plen;
    const char *cname;
    enum pvguest__comp comp;
    int rc;

    if (len >= SELFMAG && memcmp(data, ELFMAG, SELFMAG) == 0) {
        img->format = PVGUEST_FORMAT_ELF;
        return take_copy(img, data, len, err, errlen);
    }
    rc = pvguest__bzimage_payload(data, len, &payload, &plen, err, errlen);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        comp = pvguest__comp_detect(payload, plen, &cname);
        if (comp == PVGUEST__COMP_NONE)
            return FAIL(-ENOEXEC, "bzImage payload has an unknown format");
        if (comp == PVGUEST__COMP_UNSUPPORTED)
            return FAIL(-EOPNOTSUPP,
                        "bzImage payload is %s-compressed; only xz and gzip "
                        "are supported",
                        cname);
        img->format = comp == PVGUEST__COMP_XZ ? PVGUEST_FORMAT_BZIMAGE_XZ
                                               : PVGUEST_FORMAT_BZIMAGE_GZIP;
    } else {
        payload = data;
        plen = len;
        comp = pvguest__comp_detect(data, len, &cname);
        if (comp == PVGUEST__COMP_NONE)
            return FAIL(-ENOEXEC,
                        "not an ELF file, a bzImage or a compressed ELF");
        if (comp == PVGUEST__COMP_UNSUPPORTED)
            return FAIL(-EOPNOTSUPP,
                        "kernel is %s-compressed; only xz and gzip are "
                        "supported",
                        cname);
        img->format = comp == PVGUEST__COMP_XZ ? PVGUEST_FORMAT_ELF_XZ
                                               : PVGUEST_FORMAT_ELF_GZIP;
    }
    rc = pvguest__decompress(comp, payload, plen, &img->elf, &img->elf_len, err,
                             errlen);
    if (rc)
        return rc;
    if (img->elf_len < SELFMAG || memcmp(img->elf, ELFMAG, SELFMAG) != 0)
        return FAIL(-ENOEXEC, "the decompressed %s is not an ELF file",
                    payload != data ? "bzImage payload" : "kernel");
    return 0;
}

int pvguest_image_load(const void *data, size_t len, struct pvguest_image *img,
                       char *err, size_t errlen)
{
    int rc;

    memset(img, 0, sizeof(*img));
    img->hypercall_page = PVGUEST_UNSET;
    img->init_p2m = PVGUEST_UNSET;
    img->hv_start_low = PVGUEST_UNSET;
    img->phys32_entry = PVGUEST_UNSET;
    img->l1_mfn_valid_mask = PVGUEST_UNSET;
    img->l1_mfn_valid_value = PVGUEST_UNSET;
    if (!data && len)
        return FAIL(-EINVAL, "no kernel data");

    rc = unwrap(img, data, len, err, errlen);
    if (rc == 0)
        rc = parse_elf(img, err, errlen);
    if (rc)
        pvguest_image_free(img);
    return rc;
}

void pvguest_image_free(struct pvguest_image *img)
{
    free(img->elf);
    img->elf = NULL;
    img->elf_len = 0;
    img->nr_segments = 0;
}
