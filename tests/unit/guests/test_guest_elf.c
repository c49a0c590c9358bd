/* SPDX-License-Identifier: MIT */
/*
 * Checks on the built guest images ($(BUILD)/guests/hello.elf and
 * test-NAME.elf) that a domain builder relies on: ELF64 x86-64 executables
 * whose PT_LOADs sit at VIRT_BASE + p_paddr from paddr 0x1000 up, a PT_NOTE
 * holding the Xen notes (name "Xen") with the values guests/lib/head.S
 * promises, the entry point inside the image, and the hypercall page -- only in
 * the reference guest -- page-aligned inside the executable segment.  (`make
 * test` builds every image before running unit tests.)
 */
#include <elf.h>
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <xen/elfnote.h>

#define VIRT_BASE 0xffffffff80000000ULL

struct image {
    unsigned char *data;
    size_t size;
    const Elf64_Ehdr *eh;
    const Elf64_Phdr *ph;
};

struct notes {
    int seen[XEN_ELFNOTE_MAX + 1];
    uint64_t num[XEN_ELFNOTE_MAX + 1];
    char str[XEN_ELFNOTE_MAX + 1][64];
};

static void load(const char *path, struct image *im)
{
    FILE *f = fopen(path, "rb");

    if (!f)
        fail_msg("cannot open %s (run make first)", path);
    fseek(f, 0, SEEK_END);
    im->size = (size_t)ftell(f);
    rewind(f);
    im->data = malloc(im->size);
    assert_non_null(im->data);
    assert_int_equal(fread(im->data, 1, im->size, f), im->size);
    fclose(f);
    assert_true(im->size >= sizeof(Elf64_Ehdr));
    im->eh = (const Elf64_Ehdr *)im->data;
    assert_memory_equal(im->eh->e_ident, ELFMAG, SELFMAG);
    assert_int_equal(im->eh->e_ident[EI_CLASS], ELFCLASS64);
    assert_int_equal(im->eh->e_machine, EM_X86_64);
    assert_int_equal(im->eh->e_type, ET_EXEC);
    assert_true(im->eh->e_phoff + im->eh->e_phnum * sizeof(Elf64_Phdr) <=
                im->size);
    im->ph = (const Elf64_Phdr *)(im->data + im->eh->e_phoff);
}

static void parse_notes(const struct image *im, const Elf64_Phdr *p,
                        struct notes *n)
{
    size_t off = p->p_offset, end = p->p_offset + p->p_filesz;

    assert_true(end <= im->size);
    while (off + 12 <= end) {
        const uint32_t *h = (const uint32_t *)(im->data + off);
        uint32_t namesz = h[0], descsz = h[1], type = h[2];
        const char *name = (const char *)(h + 3);
        const unsigned char *desc =
            (const unsigned char *)name + ((namesz + 3) & ~3U);

        assert_true((const unsigned char *)desc + descsz <= im->data + end);
        assert_int_equal(namesz, 4);
        assert_string_equal(name, "Xen");
        if (type <= XEN_ELFNOTE_MAX) {
            n->seen[type]++;
            if (descsz == 8)
                memcpy(&n->num[type], desc, 8);
            if (descsz < sizeof(n->str[type]))
                memcpy(n->str[type], desc, descsz);
        }
        off = (size_t)(desc - im->data) + ((descsz + 3) & ~3U);
    }
}

static void check_image(const char *path, int reference)
{
    struct image im;
    struct notes n;
    const Elf64_Phdr *text = NULL;
    uint64_t lo = ~0ULL, hi = 0;
    int nnote = 0;

    memset(&n, 0, sizeof(n));
    load(path, &im);
    for (unsigned int i = 0; i < im.eh->e_phnum; i++) {
        const Elf64_Phdr *p = &im.ph[i];

        if (p->p_type == PT_LOAD) {
            assert_int_equal(p->p_vaddr, VIRT_BASE + p->p_paddr);
            assert_true(p->p_paddr >= 0x1000);
            assert_true(p->p_memsz >= p->p_filesz);
            assert_int_equal(p->p_vaddr % 4096, p->p_offset % 4096);
            if (p->p_vaddr < lo)
                lo = p->p_vaddr;
            if (p->p_vaddr + p->p_memsz > hi)
                hi = p->p_vaddr + p->p_memsz;
            if (p->p_flags & PF_X)
                text = p;
        } else if (p->p_type == PT_NOTE) {
            nnote++;
            parse_notes(&im, p, &n);
        }
    }
    assert_int_equal(lo, VIRT_BASE + 0x1000);
    assert_int_equal(nnote, 1);
    assert_non_null(text);
    assert_true(im.eh->e_entry >= text->p_vaddr &&
                im.eh->e_entry < text->p_vaddr + text->p_memsz);

    assert_int_equal(n.seen[XEN_ELFNOTE_ENTRY], 1);
    assert_int_equal(n.num[XEN_ELFNOTE_ENTRY], im.eh->e_entry);
    assert_int_equal(n.num[XEN_ELFNOTE_VIRT_BASE], VIRT_BASE);
    assert_int_equal(n.seen[XEN_ELFNOTE_PADDR_OFFSET], 1);
    assert_int_equal(n.num[XEN_ELFNOTE_PADDR_OFFSET], 0);
    assert_string_equal(n.str[XEN_ELFNOTE_XEN_VERSION], "xen-3.0");
    assert_string_equal(n.str[XEN_ELFNOTE_LOADER], "generic");
    assert_int_equal(n.seen[XEN_ELFNOTE_FEATURES], 1);
    assert_string_equal(n.str[XEN_ELFNOTE_FEATURES], "");
    assert_int_equal(n.seen[XEN_ELFNOTE_GUEST_VERSION], 1);
    assert_string_equal(n.str[XEN_ELFNOTE_GUEST_OS],
                        reference ? "pvisor-ref" : "pvisor-test");
    if (reference) {
        uint64_t hp = n.num[XEN_ELFNOTE_HYPERCALL_PAGE];

        assert_int_equal(n.seen[XEN_ELFNOTE_HYPERCALL_PAGE], 1);
        assert_int_equal(hp % 4096, 0);
        assert_true(hp >= text->p_vaddr &&
                    hp + 4096 <= text->p_vaddr + text->p_filesz);
    } else {
        assert_int_equal(n.seen[XEN_ELFNOTE_HYPERCALL_PAGE], 0);
    }
    /* Small guests: the whole image well inside the first 1 GiB. */
    assert_true(hi - VIRT_BASE < (16ULL << 20));
    free(im.data);
}

static void test_reference_guest(void **state)
{
    (void)state;
    check_image(GUEST_OUT "/hello.elf", 1);
}

static void test_test_guests(void **state)
{
    glob_t g;

    (void)state;
    assert_int_equal(glob(GUEST_OUT "/test-*.elf", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 30);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_image(g.gl_pathv[i], 0);
    globfree(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_guest),
        cmocka_unit_test(test_test_guests),
    };
    return cmocka_run_group_tests_name("guest_elf", tests, NULL, NULL);
}
