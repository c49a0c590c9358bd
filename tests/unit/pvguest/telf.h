/* SPDX-License-Identifier: MIT */
/*
 * Test kernels for libpvguest: a small ELF64 writer (program headers,
 * Xen notes in a PT_NOTE segment and/or an SHT_NOTE section), XZ (x86 BCJ
 * + LZMA2, CRC32, as Linux's xz_wrap.sh) and gzip compressors, and a
 * minimal bzImage wrapper.  Shared by the unit tests and the fuzz corpus
 * generator; everything is static so each user compiles its own copy.
 */
#ifndef PVGUEST_TELF_H
#define PVGUEST_TELF_H

#include <elf.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#ifndef __XEN_TOOLS__
#define __XEN_TOOLS__ 1
#endif
#include <xen/elfnote.h>

#define TELF_MAX_SEGS  80
#define TELF_MAX_NOTES 40

struct telf_seg {
    uint32_t type;  /* 0: PT_LOAD */
    uint32_t flags; /* PF_*; 0: PF_R | PF_X */
    uint64_t paddr, vaddr, filesz, memsz;
    uint8_t seed;      /* file bytes are telf_byte(seed, i) */
    bool force_offset; /* use offset below instead of a fresh place */
    uint64_t offset;
};

struct telf_note {
    const char *name; /* NULL: "Xen" */
    uint32_t type;
    uint32_t descsz;
    uint8_t desc[64];
    const void *big; /* if set, desc bytes come from here */
};

enum telf_place {
    TELF_NOTES_PHDR,    /* one PT_NOTE segment */
    TELF_NOTES_SECTION, /* one SHT_NOTE section only */
    TELF_NOTES_BOTH,    /* same notes in both */
    TELF_NOTES_SPLIT,   /* phdr_notes in PT_NOTE, notes in the section */
};

struct telf {
    uint8_t cls, data; /* 0: ELFCLASS64, ELFDATA2LSB */
    uint16_t machine;  /* 0: EM_X86_64 */
    uint16_t type;     /* 0: ET_EXEC */
    uint64_t entry;
    unsigned int nsegs;
    struct telf_seg seg[TELF_MAX_SEGS];
    unsigned int nnotes;
    struct telf_note note[TELF_MAX_NOTES];
    unsigned int nphdr_notes; /* TELF_NOTES_SPLIT only */
    struct telf_note phdr_note[TELF_MAX_NOTES];
    enum telf_place place;
    unsigned int note_align;    /* 0: 4 */
    bool note_phdr_offset_zero; /* write the PT_NOTE with p_offset 0 */
    bool note_phdr_past_end;    /* PT_NOTE claims bytes past the file */
};

static inline uint8_t telf_byte(uint8_t seed, uint64_t i)
{
    return (uint8_t)(seed + i * 131 + (i >> 9));
}

static inline void telf_add_seg(struct telf *t, uint64_t paddr, uint64_t vaddr,
                                uint64_t filesz, uint64_t memsz, uint8_t seed)
{
    struct telf_seg *s = &t->seg[t->nsegs++];

    memset(s, 0, sizeof(*s));
    s->paddr = paddr;
    s->vaddr = vaddr;
    s->filesz = filesz;
    s->memsz = memsz;
    s->seed = seed;
}

static inline struct telf_note *telf_add_raw(struct telf *t, const char *name,
                                             uint32_t type, const void *desc,
                                             uint32_t descsz)
{
    struct telf_note *n = &t->note[t->nnotes++];

    memset(n, 0, sizeof(*n));
    n->name = name;
    n->type = type;
    n->descsz = descsz;
    if (descsz <= sizeof(n->desc))
        memcpy(n->desc, desc, descsz);
    else
        n->big = desc;
    return n;
}

static inline void telf_add_num(struct telf *t, uint32_t type, uint64_t v,
                                unsigned int size)
{
    uint8_t b[8];

    for (unsigned int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    telf_add_raw(t, NULL, type, b, size);
}

static inline void telf_add_str(struct telf *t, uint32_t type, const char *s)
{
    telf_add_raw(t, NULL, type, s, (uint32_t)strlen(s) + 1);
}

/* Removes every note of this type (to make a note "absent"). */
static inline void telf_drop(struct telf *t, uint32_t type)
{
    unsigned int j = 0;

    for (unsigned int i = 0; i < t->nnotes; i++)
        if (t->note[i].type != type || t->note[i].name)
            t->note[j++] = t->note[i];
    t->nnotes = j;
}

/*
 * The notes of Debian's 6.1 kernel (ref. xen-pv-abi.md 2.1) for a kernel
 * at virt_base with entry, numeric notes of numsz bytes (values are
 * truncated to fit, so use small ones with numsz < 8).
 */
static inline void telf_linux_notes(struct telf *t, uint64_t virt_base,
                                    uint64_t entry, unsigned int numsz)
{
    static const uint8_t l1_mfn_valid[16] = {1, 0, 0, 0, 0, 0, 0, 0,
                                             1, 0, 0, 0, 0, 0, 0, 0};

    telf_add_str(t, XEN_ELFNOTE_GUEST_OS, "linux");
    telf_add_str(t, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    telf_add_str(t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    telf_add_num(t, XEN_ELFNOTE_VIRT_BASE, virt_base, numsz);
    telf_add_num(t, XEN_ELFNOTE_INIT_P2M, 0x8000000000ULL, 8);
    telf_add_num(t, XEN_ELFNOTE_ENTRY, entry, numsz);
    telf_add_str(t, XEN_ELFNOTE_FEATURES,
                 "!writable_page_tables|pae_pgdir_above_4gb");
    telf_add_num(t, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x8801, 4);
    telf_add_str(t, XEN_ELFNOTE_PAE_MODE, "yes");
    telf_add_str(t, XEN_ELFNOTE_LOADER, "generic");
    telf_add_raw(t, NULL, XEN_ELFNOTE_L1_MFN_VALID, l1_mfn_valid, 16);
    telf_add_num(t, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    telf_add_num(t, XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    telf_add_num(t, XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ULL, 8);
    telf_add_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0, numsz);
    telf_add_num(t, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000850, 4);
}

/*
 * A small kernel shaped like Debian's: at 0xffffffff80000000, text at
 * paddr 2 MiB, data, a "percpu" segment with p_vaddr 0 placed only by its
 * p_paddr, and init+bss; one segment starts mid-page and crosses pages.
 */
#define TELF_LINUX_BASE  0xffffffff80000000ULL
#define TELF_LINUX_ENTRY (TELF_LINUX_BASE + 0x208040)
static inline void telf_linux(struct telf *t)
{
    memset(t, 0, sizeof(*t));
    t->entry = TELF_LINUX_ENTRY;
    telf_add_seg(t, 0x200000, TELF_LINUX_BASE + 0x200000, 0x3000, 0x3000, 0x11);
    t->seg[0].flags = PF_R | PF_X;
    telf_add_seg(t, 0x204000, TELF_LINUX_BASE + 0x204000, 0x1800, 0x2000, 0x22);
    t->seg[1].flags = PF_R | PF_W;
    telf_add_seg(t, 0x206000, 0, 0x100, 0x1000, 0x33); /* percpu */
    t->seg[2].flags = PF_R | PF_W;
    telf_add_seg(t, 0x207f80, TELF_LINUX_BASE + 0x207f80, 0x1900, 0x12080,
                 0x44);
    t->seg[3].flags = PF_R | PF_W | PF_X;
    telf_linux_notes(t, TELF_LINUX_BASE, TELF_LINUX_ENTRY, 8);
}

struct telf_buf {
    uint8_t *p;
    size_t len, cap;
};

static inline uint64_t telf_put(struct telf_buf *b, const void *src, size_t len,
                                size_t align)
{
    uint64_t off = (b->len + align - 1) & ~(uint64_t)(align - 1);

    if (off + len > b->cap) {
        b->cap = (off + len) * 2 + 4096;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memset(b->p + b->len, 0, off - b->len);
    if (src)
        memcpy(b->p + off, src, len);
    else
        memset(b->p + off, 0, len);
    b->len = off + len;
    return off;
}

/* Appends the notes as one note area; returns its offset, *size. */
static inline uint64_t telf_put_notes(struct telf_buf *b,
                                      const struct telf_note *notes,
                                      unsigned int n, unsigned int align,
                                      uint64_t *size)
{
    uint64_t start = telf_put(b, NULL, 0, align);

    for (unsigned int i = 0; i < n; i++) {
        const struct telf_note *no = &notes[i];
        const char *name = no->name ? no->name : "Xen";
        Elf64_Nhdr h = {(Elf64_Word)strlen(name) + 1, no->descsz, no->type};

        telf_put(b, &h, sizeof(h), 4);
        telf_put(b, name, h.n_namesz, 1);
        telf_put(b, no->big ? no->big : no->desc, no->descsz, align);
        telf_put(b, NULL, 0, align);
    }
    *size = b->len - start;
    return start;
}

/* Writes the ELF file described by t into a new buffer (*out, returned). */
static inline size_t telf_write(const struct telf *t, uint8_t **out)
{
    struct telf_buf b = {NULL, 0, 0};
    Elf64_Ehdr eh;
    Elf64_Phdr ph[TELF_MAX_SEGS + 1];
    Elf64_Shdr sh[3];
    unsigned int align = t->note_align ? t->note_align : 4;
    bool phdr_notes = t->place != TELF_NOTES_SECTION;
    bool sec_notes = t->place != TELF_NOTES_PHDR;
    unsigned int nph = t->nsegs + phdr_notes;
    uint64_t noff = 0, nsize = 0, soff = 0, ssize = 0, stroff, shoff;
    static const char shstr[] = "\0.note.Xen\0.shstrtab";

    memset(&eh, 0, sizeof(eh));
    memset(ph, 0, sizeof(ph));
    memset(sh, 0, sizeof(sh));
    telf_put(&b, NULL, sizeof(eh), 1);
    telf_put(&b, NULL, nph * sizeof(Elf64_Phdr), 8);

    if (phdr_notes) {
        if (t->place == TELF_NOTES_SPLIT)
            noff =
                telf_put_notes(&b, t->phdr_note, t->nphdr_notes, align, &nsize);
        else
            noff = telf_put_notes(&b, t->note, t->nnotes, align, &nsize);
    }
    if (sec_notes) {
        if (t->place == TELF_NOTES_BOTH) {
            soff = noff;
            ssize = nsize;
        } else {
            soff = telf_put_notes(&b, t->note, t->nnotes, align, &ssize);
        }
    }
    for (unsigned int i = 0; i < t->nsegs; i++) {
        const struct telf_seg *s = &t->seg[i];
        uint64_t off = s->offset;

        if (!s->force_offset) {
            off = telf_put(&b, NULL, s->filesz, 16);
            for (uint64_t j = 0; j < s->filesz; j++)
                b.p[off + j] = telf_byte(s->seed, j);
        }
        ph[i] = (Elf64_Phdr){
            .p_type = s->type ? s->type : PT_LOAD,
            .p_flags = s->flags ? s->flags : PF_R | PF_X,
            .p_offset = off,
            .p_vaddr = s->vaddr,
            .p_paddr = s->paddr,
            .p_filesz = s->filesz,
            .p_memsz = s->memsz,
            .p_align = 0x1000,
        };
    }
    if (phdr_notes) {
        ph[t->nsegs] = (Elf64_Phdr){
            .p_type = PT_NOTE,
            .p_flags = PF_R,
            .p_offset = t->note_phdr_offset_zero ? 0 : noff,
            .p_filesz = t->note_phdr_past_end ? nsize + 0x10000 : nsize,
            .p_memsz = nsize,
            .p_align = align,
        };
    }

    stroff = telf_put(&b, shstr, sizeof(shstr), 1);
    shoff = telf_put(&b, NULL, 0, 8);
    if (sec_notes) {
        sh[1] = (Elf64_Shdr){.sh_name = 1,
                             .sh_type = SHT_NOTE,
                             .sh_flags = SHF_ALLOC,
                             .sh_offset = soff,
                             .sh_size = ssize,
                             .sh_addralign = align};
    } else {
        sh[1] = (Elf64_Shdr){.sh_name = 1,
                             .sh_type = SHT_PROGBITS,
                             .sh_offset = stroff,
                             .sh_size = 1,
                             .sh_addralign = 1};
    }
    sh[2] = (Elf64_Shdr){.sh_name = 11,
                         .sh_type = SHT_STRTAB,
                         .sh_offset = stroff,
                         .sh_size = sizeof(shstr),
                         .sh_addralign = 1};
    telf_put(&b, sh, sizeof(sh), 8);

    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = t->cls ? t->cls : ELFCLASS64;
    eh.e_ident[EI_DATA] = t->data ? t->data : ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = t->type ? t->type : ET_EXEC;
    eh.e_machine = t->machine ? t->machine : EM_X86_64;
    eh.e_version = EV_CURRENT;
    eh.e_entry = t->entry;
    eh.e_phoff = sizeof(eh);
    eh.e_shoff = shoff;
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = sizeof(Elf64_Phdr);
    eh.e_phnum = (Elf64_Half)nph;
    eh.e_shentsize = sizeof(Elf64_Shdr);
    eh.e_shnum = 3;
    eh.e_shstrndx = 2;
    memcpy(b.p, &eh, sizeof(eh));
    memcpy(b.p + sizeof(eh), ph, nph * sizeof(Elf64_Phdr));
    *out = b.p;
    return b.len;
}

/* XZ as Linux makes it: x86 BCJ + LZMA2, CRC32, size appended (LE32). */
static inline size_t telf_xz(const uint8_t *in, size_t len, uint8_t **out)
{
    lzma_options_lzma opt;
    lzma_filter filters[3];
    size_t cap = len + len / 2 + 4096, pos = 0;
    uint8_t *p = malloc(cap + 4);

    if (!p || lzma_lzma_preset(&opt, 6))
        abort();
    filters[0] = (lzma_filter){LZMA_FILTER_X86, NULL};
    filters[1] = (lzma_filter){LZMA_FILTER_LZMA2, &opt};
    filters[2] = (lzma_filter){LZMA_VLI_UNKNOWN, NULL};
    if (lzma_stream_buffer_encode(filters, LZMA_CHECK_CRC32, NULL, in, len, p,
                                  &pos, cap) != LZMA_OK)
        abort();
    for (int i = 0; i < 4; i++)
        p[pos++] = (uint8_t)(len >> (8 * i));
    *out = p;
    return pos;
}

/* A gzip stream (header, deflate, CRC32 and ISIZE trailer). */
static inline size_t telf_gzip(const uint8_t *in, size_t len, uint8_t **out)
{
    z_stream zs;
    size_t cap = compressBound(len) + 64;
    uint8_t *p = malloc(cap);

    memset(&zs, 0, sizeof(zs));
    if (!p || deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
                           Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    zs.next_in = (Bytef *)in;
    zs.avail_in = (uInt)len;
    zs.next_out = p;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END)
        abort();
    deflateEnd(&zs);
    *out = p;
    return zs.total_out;
}

#define TELF_BZ_CODE 0x140 /* bytes of "decompressor" before the payload */

/*
 * A minimal bzImage: boot sector and setup sectors with the setup header
 * (boot protocol `version`), then the protected-mode part whose payload
 * starts TELF_BZ_CODE bytes in.  setup_sects 0 means 4, as in boot.rst.
 */
static inline size_t telf_bzimage(const uint8_t *payload, size_t plen,
                                  uint8_t setup_sects, uint16_t version,
                                  uint8_t **out)
{
    size_t setup = ((setup_sects ? setup_sects : 4) + 1) * 512;
    size_t len = setup + TELF_BZ_CODE + plen + 16;
    uint8_t *p = calloc(1, len);
    uint32_t poff = TELF_BZ_CODE, plen32 = (uint32_t)plen;

    if (!p)
        abort();
    p[0x1f1] = setup_sects;
    p[0x1fe] = 0x55;
    p[0x1ff] = 0xaa;
    memcpy(p + 0x202, "HdrS", 4);
    memcpy(p + 0x206, &version, 2);
    memcpy(p + 0x248, &poff, 4);
    memcpy(p + 0x24c, &plen32, 4);
    memset(p + setup, 0x90, TELF_BZ_CODE);
    memcpy(p + setup + TELF_BZ_CODE, payload, plen);
    *out = p;
    return len;
}

#endif /* PVGUEST_TELF_H */
