/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of libpvguest's kernel parsing (image.c) on
 * ELF files written by the test (telf.h): Xen notes from PT_NOTE and the
 * SHT_NOTE fallback, 1/2/4/8-byte numeric notes, Xen's defaults and
 * paddr-based placement, and every rejection path of the ELF parser.
 * Containers (bzImage, compression) are in test_bzimage.c.
 */
#include "pvguest_test.h"

static void test_linux_notes_from_pt_note(void **state)
{
    struct pvguest_image img;
    struct telf t;
    uint8_t *buf, *copy;
    size_t len;

    (void)state;
    telf_linux(&t);
    len = telf_write(&t, &buf);
    copy = malloc(len);
    memcpy(copy, buf, len);
    assert_int_equal(load_buf(buf, len, &img), 0);
    /* The image owns its copy: the caller's buffer may go. */
    memset(buf, 0xee, len);
    free(buf);
    assert_int_equal(img.format, PVGUEST_FORMAT_ELF);
    assert_false(img.notes_from_sections);
    assert_int_equal(img.elf_len, len);
    assert_memory_equal(img.elf, copy, len);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
    assert_null(img.elf);

    /* Section headers are read only for the fallback: broken ones do
     * not matter when a PT_NOTE holds the notes. */
    ((Elf64_Ehdr *)copy)->e_shoff = len + 0x1000;
    assert_int_equal(load_buf(copy, len, &img), 0);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
    free(copy);
}

static void test_notes_in_section_only(void **state)
{
    struct pvguest_image img;
    struct telf t;

    (void)state;
    telf_linux(&t);
    t.place = TELF_NOTES_SECTION;
    assert_int_equal(load_telf(&t, &img), 0);
    assert_true(img.notes_from_sections);
    expect_linux_fields(&img);
    pvguest_image_free(&img);

    /* Same when the PT_NOTE exists but holds no Xen note... */
    telf_linux(&t);
    t.place = TELF_NOTES_SPLIT;
    t.nphdr_notes = 1;
    t.phdr_note[0] = (struct telf_note){
        .name = "GNU", .type = 3, .descsz = 4, .desc = {1, 2, 3, 4}};
    assert_int_equal(load_telf(&t, &img), 0);
    assert_true(img.notes_from_sections);
    expect_linux_fields(&img);
    pvguest_image_free(&img);

    /* ...or is one old binutils wrote with p_offset 0 (Xen skips it). */
    telf_linux(&t);
    t.place = TELF_NOTES_BOTH;
    t.note_phdr_offset_zero = true;
    assert_int_equal(load_telf(&t, &img), 0);
    assert_true(img.notes_from_sections);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
}

static void test_pt_note_wins_over_sections(void **state)
{
    struct pvguest_image img;
    struct telf t;

    (void)state;
    telf_linux(&t);
    t.place = TELF_NOTES_SPLIT;
    memcpy(t.phdr_note, t.note, sizeof(t.note));
    t.nphdr_notes = t.nnotes;
    /* The section says another entry point: it must not be read. */
    telf_drop(&t, XEN_ELFNOTE_ENTRY);
    telf_add_num(&t, XEN_ELFNOTE_ENTRY, TELF_LINUX_BASE + 0x200000, 8);
    assert_int_equal(load_telf(&t, &img), 0);
    assert_false(img.notes_from_sections);
    assert_int_equal(img.entry, TELF_LINUX_ENTRY);
    pvguest_image_free(&img);
}

/* A kernel below 4 GiB so that every address fits a 4-byte note. */
static void low_kernel(struct telf *t, unsigned int numsz)
{
    memset(t, 0, sizeof(*t));
    t->entry = 0x80201000;
    telf_add_seg(t, 0x200000, 0x80200000, 0x2000, 0x5000, 0x55);
    telf_linux_notes(t, 0x80000000, 0x80201000, numsz);
}

static void test_numeric_note_sizes(void **state)
{
    static const unsigned int sizes[] = {4, 8};
    struct pvguest_image img;
    struct telf t;

    (void)state;
    for (unsigned int i = 0; i < 2; i++) {
        low_kernel(&t, sizes[i]);
        assert_int_equal(load_telf(&t, &img), 0);
        assert_int_equal(img.virt_base, 0x80000000);
        assert_int_equal(img.entry, 0x80201000);
        assert_int_equal(img.virt_kstart, 0x80200000);
        assert_int_equal(img.virt_kend, 0x80205000);
        pvguest_image_free(&img);
    }
    /* Mixed widths, and 1- and 2-byte values as Xen also reads them. */
    low_kernel(&t, 8);
    telf_drop(&t, XEN_ELFNOTE_ENTRY);
    telf_add_num(&t, XEN_ELFNOTE_ENTRY, 0x80201000, 4);
    telf_drop(&t, XEN_ELFNOTE_SUSPEND_CANCEL);
    telf_add_num(&t, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 1);
    telf_drop(&t, XEN_ELFNOTE_MOD_START_PFN);
    telf_add_num(&t, XEN_ELFNOTE_MOD_START_PFN, 0, 2);
    assert_int_equal(load_telf(&t, &img), 0);
    assert_int_equal(img.entry, 0x80201000);
    assert_true(img.suspend_cancel);
    assert_false(img.mod_start_pfn);
    pvguest_image_free(&img);
    /* A value wider than 4 bytes is truncated by a 4-byte note. */
    low_kernel(&t, 8);
    telf_drop(&t, XEN_ELFNOTE_HV_START_LOW);
    telf_add_num(&t, XEN_ELFNOTE_HV_START_LOW, 0x1234567890ULL, 4);
    assert_int_equal(load_telf(&t, &img), 0);
    assert_int_equal(img.hv_start_low, 0x34567890);
    pvguest_image_free(&img);
}

static void test_eight_byte_aligned_notes(void **state)
{
    struct pvguest_image img;
    struct telf t;

    (void)state;
    telf_linux(&t);
    t.note_align = 8;
    assert_int_equal(load_telf(&t, &img), 0);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
    t.place = TELF_NOTES_SECTION;
    assert_int_equal(load_telf(&t, &img), 0);
    expect_linux_fields(&img);
    pvguest_image_free(&img);
}

static void test_defaults_and_offsets(void **state)
{
    struct pvguest_image img;
    struct telf t;

    (void)state;
    /* A generic-loader kernel without address notes: VIRT_BASE 0,
     * PADDR_OFFSET 0, ENTRY = e_entry. */
    memset(&t, 0, sizeof(t));
    t.entry = 0x3000;
    telf_add_seg(&t, 0x0, 0x0, 0x4000, 0x9000, 0x66);
    telf_add_str(&t, XEN_ELFNOTE_GUEST_OS, "Mini-OS");
    telf_add_str(&t, XEN_ELFNOTE_LOADER, "generic");
    telf_add_str(&t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    assert_int_equal(load_telf(&t, &img), 0);
    assert_int_equal(img.virt_base, 0);
    assert_int_equal(img.paddr_offset, 0);
    assert_int_equal(img.entry, 0x3000);
    assert_int_equal(img.virt_kstart, 0);
    assert_int_equal(img.virt_kend, 0x9000);
    assert_false(img.mod_start_pfn);
    assert_int_equal(img.f_required, 0);
    pvguest_image_free(&img);

    /* PADDR_OFFSET: VA = p_paddr + VIRT_BASE - PADDR_OFFSET. */
    telf_linux(&t);
    telf_drop(&t, XEN_ELFNOTE_PADDR_OFFSET);
    telf_add_num(&t, XEN_ELFNOTE_PADDR_OFFSET, 0x100000, 8);
    telf_drop(&t, XEN_ELFNOTE_ENTRY);
    telf_add_num(&t, XEN_ELFNOTE_ENTRY, TELF_LINUX_BASE + 0x100000, 8);
    assert_int_equal(load_telf(&t, &img), 0);
    assert_int_equal(img.virt_offset, TELF_LINUX_BASE - 0x100000);
    assert_int_equal(img.virt_kstart, TELF_LINUX_BASE + 0x100000);
    assert_int_equal(img.seg[2].va, TELF_LINUX_BASE + 0x106000);
    pvguest_image_free(&img);

    /* GUEST_OS linux needs no LOADER; a GNU note is skipped. */
    telf_linux(&t);
    telf_drop(&t, XEN_ELFNOTE_LOADER);
    telf_add_raw(&t, "GNU", XEN_ELFNOTE_LOADER, "xx", 3);
    assert_int_equal(load_telf(&t, &img), 0);
    assert_string_equal(img.loader, "");
    assert_int_equal(img.nr_xen_notes, 15);
    pvguest_image_free(&img);

    /* A hypercall page inside the kernel; unknown optional features and
     * notes of unknown types are ignored; empty and flag-less PT_LOADs
     * load nothing. */
    telf_linux(&t);
    telf_add_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, TELF_LINUX_BASE + 0x201000, 8);
    telf_drop(&t, XEN_ELFNOTE_FEATURES);
    telf_add_str(&t, XEN_ELFNOTE_FEATURES,
                 "writable_descriptor_tables|no_such_thing|!"
                 "writable_page_tables");
    telf_add_num(&t, 999, 5, 3);
    telf_add_seg(&t, 0x100000, 0, 0, 0, 0);
    telf_add_seg(&t, 0x300000, 0, 0x10, 0x10, 0);
    t.seg[t.nsegs - 1].flags = PF_MASKOS; /* no R, W or X */
    assert_int_equal(load_telf(&t, &img), 0);
    assert_int_equal(img.hypercall_page, TELF_LINUX_BASE + 0x201000);
    assert_int_equal(img.f_required, 1u << XENFEAT_writable_page_tables);
    assert_true(img.f_supported & (1u << XENFEAT_writable_descriptor_tables));
    assert_int_equal(img.nr_segments, 4);
    assert_int_equal(img.virt_kstart, TELF_LINUX_BASE + 0x200000);
    pvguest_image_free(&img);
}

/* -------------------------------------------------------- rejections */

struct reject {
    const char *what;
    void (*mutate)(struct telf *t);
    void (*patch)(uint8_t **buf, size_t *len);
    int rc;
    const char *msg;
};

static void set_entry(struct telf *t, uint64_t e)
{
    telf_drop(t, XEN_ELFNOTE_ENTRY);
    telf_add_num(t, XEN_ELFNOTE_ENTRY, e, 8);
}

static void set_note_num(struct telf *t, uint32_t type, uint64_t v)
{
    telf_drop(t, type);
    telf_add_num(t, type, v, 8);
}

static void set_note_str(struct telf *t, uint32_t type, const char *s)
{
    telf_drop(t, type);
    telf_add_str(t, type, s);
}

static void m_class32(struct telf *t)
{
    t->cls = ELFCLASS32;
}
static void m_msb(struct telf *t)
{
    t->data = ELFDATA2MSB;
}
static void m_arm(struct telf *t)
{
    t->machine = EM_AARCH64;
}
static void m_rel(struct telf *t)
{
    t->type = ET_REL;
}
static void m_noload(struct telf *t)
{
    for (unsigned int i = 0; i < t->nsegs; i++)
        t->seg[i].type = PT_GNU_STACK;
}
static void m_filesz(struct telf *t)
{
    t->seg[1].filesz = 0x3000;
}
static void m_outside(struct telf *t)
{
    t->seg[0].force_offset = true;
    t->seg[0].offset = 0x7fffff00;
}
static void m_wrap(struct telf *t)
{
    t->seg[3].paddr = ~0ULL - 0x1000;
}
static void m_absurd(struct telf *t)
{
    t->seg[3].memsz = 2ULL << 30;
}
static void m_overlap(struct telf *t)
{
    t->seg[1].paddr = 0x202000;
}
static void m_too_many(struct telf *t)
{
    while (t->nsegs < 65)
        telf_add_seg(t, 0x300000 + t->nsegs * 0x1000ULL, 0, 0x10, 0x10, 1);
}
static void m_no_notes(struct telf *t)
{
    t->nnotes = 0;
}
static void m_gnu_notes(struct telf *t)
{
    for (unsigned int i = 0; i < t->nnotes; i++)
        t->note[i].name = "GNU";
}
static void m_loader(struct telf *t)
{
    set_note_str(t, XEN_ELFNOTE_LOADER, "bsd");
    set_note_str(t, XEN_ELFNOTE_GUEST_OS, "NetBSD");
}
static void m_xen2(struct telf *t)
{
    set_note_str(t, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
}
static void m_noversion(struct telf *t)
{
    telf_drop(t, XEN_ELFNOTE_XEN_VERSION);
}
static void m_autotrans(struct telf *t)
{
    set_note_str(t, XEN_ELFNOTE_FEATURES, "!auto_translated_physmap");
}
static void m_dom0(struct telf *t)
{
    set_note_str(t, XEN_ELFNOTE_FEATURES, "writable_page_tables|!dom0");
}
static void m_unknown_req(struct telf *t)
{
    set_note_str(t, XEN_ELFNOTE_FEATURES, "!no_such|pae_pgdir_above_4gb");
}
static void m_paddr_no_base(struct telf *t)
{
    telf_drop(t, XEN_ELFNOTE_VIRT_BASE);
}
static void m_num3(struct telf *t)
{
    telf_drop(t, XEN_ELFNOTE_ENTRY);
    telf_add_num(t, XEN_ELFNOTE_ENTRY, TELF_LINUX_ENTRY, 3);
}
static void m_supp3(struct telf *t)
{
    telf_drop(t, XEN_ELFNOTE_SUPPORTED_FEATURES);
    telf_add_num(t, XEN_ELFNOTE_SUPPORTED_FEATURES, 1, 3);
}
static char huge_desc[5000];
static void m_huge(struct telf *t)
{
    memset(huge_desc, 'a', sizeof(huge_desc) - 1);
    telf_drop(t, XEN_ELFNOTE_GUEST_VERSION);
    telf_add_raw(t, NULL, XEN_ELFNOTE_GUEST_VERSION, huge_desc,
                 sizeof(huge_desc));
}
static void m_entry_low(struct telf *t)
{
    set_entry(t, TELF_LINUX_BASE);
}
static void m_entry_end(struct telf *t)
{
    set_entry(t, TELF_LINUX_BASE + 0x207f80 + 0x12080);
}
static void m_base_above(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0x300000);
}
static void m_base_unaligned(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_VIRT_BASE, TELF_LINUX_BASE + 0x10);
    set_note_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0x10);
}
static void m_kstart_unaligned(struct telf *t)
{
    t->seg[0].paddr = 0x200010;
}
static void m_hole(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_VIRT_BASE, 0xffff800000000000ULL);
    set_entry(t, 0xffff800000208040ULL);
}
static void m_noncanonical(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_VIRT_BASE, 0x0000900000000000ULL);
    set_entry(t, 0x0000900000208040ULL);
}
static void m_va_wrap(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_VIRT_BASE, 0xfffffffffffff000ULL);
    set_note_num(t, XEN_ELFNOTE_PADDR_OFFSET, 0x200000);
}
static void m_va_wrap_low(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_VIRT_BASE, 0xffffffffffe00000ULL);
}
static void m_span(struct telf *t)
{
    telf_add_seg(t, 0x50000000, 0, 0x10, 0x1000, 2);
}
static void m_hcall_out(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, TELF_LINUX_BASE);
}
static void m_hcall_unaligned(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_HYPERCALL_PAGE, TELF_LINUX_BASE + 0x200010);
}
static void m_p2m_inside(struct telf *t)
{
    set_note_num(t, XEN_ELFNOTE_INIT_P2M, TELF_LINUX_BASE + 0x201000);
}
static void m_sections_only(struct telf *t)
{
    t->place = TELF_NOTES_SECTION;
}
static void m_note_past_end(struct telf *t)
{
    t->note_phdr_past_end = true;
}
static void m_note_offset_zero(struct telf *t)
{
    t->note_phdr_offset_zero = true;
}

static Elf64_Phdr *last_phdr(uint8_t *buf)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;

    return (Elf64_Phdr *)(buf + eh->e_phoff) + eh->e_phnum - 1;
}

/* A PT_NOTE of 65537 empty notes: over Xen's total note limit. */
static void p_many_notes(uint8_t **buf, size_t *len)
{
    size_t n = 65537 * 12, off = (*len + 7) & ~(size_t)7;

    *buf = realloc(*buf, off + n);
    memset(*buf + *len, 0, off + n - *len);
    last_phdr(*buf)->p_offset = off;
    last_phdr(*buf)->p_filesz = n;
    *len = off + n;
}
static void p_truncated(uint8_t **buf, size_t *len)
{
    *len = 40;
}
static void p_phoff(uint8_t **buf, size_t *len)
{
    ((Elf64_Ehdr *)*buf)->e_phoff = *len - 8;
}
static void p_phentsize(uint8_t **buf, size_t *len)
{
    ((Elf64_Ehdr *)*buf)->e_phentsize = 32;
}
static void p_phnum0(uint8_t **buf, size_t *len)
{
    ((Elf64_Ehdr *)*buf)->e_phnum = 0;
}
static void p_shoff(uint8_t **buf, size_t *len)
{
    ((Elf64_Ehdr *)*buf)->e_shoff = *len + 0x1000;
}
static void p_garbage(uint8_t **buf, size_t *len)
{
    memset(*buf, 'x', *len);
}
static void p_empty(uint8_t **buf, size_t *len)
{
    *len = 0;
}

static const struct reject rejects[] = {
    {"empty file", NULL, p_empty, -ENOEXEC, "not an ELF file, a bzImage"},
    {"garbage", NULL, p_garbage, -ENOEXEC, "not an ELF file, a bzImage"},
    {"truncated header", NULL, p_truncated, -ENOEXEC, "truncated"},
    {"ELFCLASS32", m_class32, NULL, -EOPNOTSUPP, "32-bit"},
    {"big-endian", m_msb, NULL, -ENOEXEC, "little-endian ELF64"},
    {"aarch64", m_arm, NULL, -EOPNOTSUPP, "not x86-64"},
    {"ET_REL", m_rel, NULL, -ENOEXEC, "not an executable"},
    {"phdrs past the end", NULL, p_phoff, -ENOEXEC, "do not fit in the"},
    {"bad phentsize", NULL, p_phentsize, -ENOEXEC, "of 32 bytes"},
    {"no phdrs", NULL, p_phnum0, -ENOEXEC, "no program headers"},
    {"shdrs past the end, notes in sections", m_sections_only, p_shoff,
     -ENOEXEC, "section headers at"},
    {"no PT_LOAD", m_noload, NULL, -ENOEXEC, "no loadable segment"},
    {"filesz > memsz", m_filesz, NULL, -ENOEXEC, "larger than memsz"},
    {"segment outside file", m_outside, NULL, -ENOEXEC, "outside the"},
    {"paddr wraps", m_wrap, NULL, -ENOEXEC, "wraps or is absurd"},
    {"memsz absurd", m_absurd, NULL, -ENOEXEC, "wraps or is absurd"},
    {"segments overlap", m_overlap, NULL, -ENOEXEC, "overlap"},
    {"65 segments", m_too_many, NULL, -EFBIG, "more than 64"},
    {"no notes", m_no_notes, NULL, -ENOEXEC, "no Xen ELF notes"},
    {"only GNU notes", m_gnu_notes, NULL, -ENOEXEC, "no Xen ELF notes"},
    {"PT_NOTE at offset 0 only", m_note_offset_zero, NULL, -ENOEXEC,
     "no Xen ELF notes"},
    {"too many notes", NULL, p_many_notes, -ENOEXEC, "more than 65536"},
    {"note area past the end", m_note_past_end, NULL, -ENOEXEC, "note area"},
    {"NetBSD loader", m_loader, NULL, -ENOEXEC, "generic loader or Linux"},
    {"xen-2.0", m_xen2, NULL, -ENOEXEC, "'xen-2.0' is not xen-3.0"},
    {"no XEN_VERSION", m_noversion, NULL, -ENOEXEC, "is not xen-3.0"},
    {"auto-translated", m_autotrans, NULL, -EOPNOTSUPP,
     "auto_translated_physmap"},
    {"dom0 only", m_dom0, NULL, -EOPNOTSUPP, "requires dom0"},
    {"unknown required feature", m_unknown_req, NULL, -EOPNOTSUPP,
     "unknown feature 'no_such'"},
    {"PADDR_OFFSET without VIRT_BASE", m_paddr_no_base, NULL, -ENOEXEC,
     "without VIRT_BASE"},
    {"3-byte ENTRY", m_num3, NULL, -ENOEXEC, "ENTRY has a 3-byte value"},
    {"3-byte SUPPORTED_FEATURES", m_supp3, NULL, -ENOEXEC, "multiple of 4"},
    {"5000-byte note", m_huge, NULL, -ENOEXEC, "absurd 5000-byte"},
    {"entry below kernel", m_entry_low, NULL, -ENOEXEC, "out of order"},
    {"entry at kernel end", m_entry_end, NULL, -ENOEXEC, "out of order"},
    {"virt_base above kernel", m_base_above, NULL, -ENOEXEC, "out of order"},
    {"VIRT_BASE unaligned", m_base_unaligned, NULL, -ENOEXEC,
     "VIRT_BASE 0xffffffff80000010 is not page aligned"},
    {"kernel start unaligned", m_kstart_unaligned, NULL, -ENOEXEC,
     "kernel start 0xffffffff80200010 is not page aligned"},
    {"kernel in hypervisor slots", m_hole, NULL, -ENOEXEC,
     "canonical guest space"},
    {"non-canonical kernel", m_noncanonical, NULL, -ENOEXEC,
     "canonical guest space"},
    {"kernel wraps 2^64", m_va_wrap, NULL, -ENOEXEC, "wraps"},
    {"kernel wraps to 0", m_va_wrap_low, NULL, -ENOEXEC, "out of order"},
    {"span over 1 GiB", m_span, NULL, -EFBIG, "spans"},
    {"hypercall page outside", m_hcall_out, NULL, -ENOEXEC,
     "not a page of the kernel"},
    {"hypercall page unaligned", m_hcall_unaligned, NULL, -ENOEXEC,
     "not a page of the kernel"},
    {"INIT_P2M inside kernel", m_p2m_inside, NULL, -ENOEXEC,
     "INIT_P2M 0xffffffff80201000 lies inside"},
};

static void test_rejections(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(rejects) / sizeof(rejects[0]); i++) {
        const struct reject *r = &rejects[i];
        struct pvguest_image img;
        struct telf t;
        uint8_t *buf;
        size_t len;
        int rc;

        telf_linux(&t);
        if (r->mutate)
            r->mutate(&t);
        len = telf_write(&t, &buf);
        if (r->patch)
            r->patch(&buf, &len);
        rc = load_buf(buf, len, &img);
        free(buf);
        if (rc != r->rc || !strstr(err, r->msg))
            fail_msg("%s: rc %d (want %d), message \"%s\" (want \"%s\")",
                     r->what, rc, r->rc, err, r->msg);
        assert_null(img.elf);
    }
    /* A NULL buffer with a length is a caller error. */
    {
        struct pvguest_image img;

        assert_int_equal(pvguest_image_load(NULL, 10, &img, NULL, 0), -EINVAL);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linux_notes_from_pt_note),
        cmocka_unit_test(test_notes_in_section_only),
        cmocka_unit_test(test_pt_note_wins_over_sections),
        cmocka_unit_test(test_numeric_note_sizes),
        cmocka_unit_test(test_eight_byte_aligned_notes),
        cmocka_unit_test(test_defaults_and_offsets),
        cmocka_unit_test(test_rejections),
    };
    return cmocka_run_group_tests_name("pvguest_image", tests, NULL, NULL);
}
