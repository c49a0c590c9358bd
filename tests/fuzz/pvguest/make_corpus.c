/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpus of the pvguest-image fuzz target into DIR: small
 * kernels made with the unit tests' ELF writer (telf.h) covering each
 * container and note placement the parser accepts.
 * Usage: pvguest-make-corpus DIR
 */
#include <stdio.h>

#include "telf.h"

static const char *dir;

static void put(const char *name, const uint8_t *p, size_t len)
{
    char path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

static void put_elf(const char *name, const struct telf *t)
{
    uint8_t *p;
    size_t len = telf_write(t, &p);

    put(name, p, len);
    free(p);
}

/* telf_linux() with a few bytes per segment: small seeds fuzz faster. */
static void tiny_linux(struct telf *t)
{
    telf_linux(t);
    for (unsigned int i = 0; i < t->nsegs; i++)
        t->seg[i].filesz = 0x40;
}

int main(int argc, char **argv)
{
    struct telf t;
    uint8_t *elf, *z, *bz;
    size_t elf_len, z_len, bz_len;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    dir = argv[1];

    tiny_linux(&t);
    put_elf("linux-pt-note", &t);
    t.place = TELF_NOTES_SECTION;
    put_elf("linux-section-notes", &t);
    t.note_align = 8;
    put_elf("linux-section-notes-align8", &t);

    tiny_linux(&t);
    t.place = TELF_NOTES_SPLIT;
    t.nphdr_notes = 1;
    t.phdr_note[0] = (struct telf_note){
        .name = "GNU", .type = 3, .descsz = 4, .desc = {1, 2, 3, 4}};
    put_elf("linux-gnu-pt-note-xen-section", &t);

    tiny_linux(&t);
    telf_add_num(&t, XEN_ELFNOTE_HYPERCALL_PAGE, TELF_LINUX_BASE + 0x201000, 8);
    telf_drop(&t, XEN_ELFNOTE_PADDR_OFFSET);
    telf_add_num(&t, XEN_ELFNOTE_PADDR_OFFSET, 0x100000, 8);
    telf_drop(&t, XEN_ELFNOTE_ENTRY);
    telf_add_num(&t, XEN_ELFNOTE_ENTRY, TELF_LINUX_BASE + 0x101000, 4);
    put_elf("linux-hypercall-page-paddr-offset", &t);

    memset(&t, 0, sizeof(t));
    t.entry = 0x80201000;
    telf_add_seg(&t, 0x200000, 0x80200000, 0x40, 0x5000, 0x55);
    telf_linux_notes(&t, 0x80000000, 0x80201000, 4);
    put_elf("low-kernel-4-byte-notes", &t);

    memset(&t, 0, sizeof(t));
    t.entry = 0x3000;
    telf_add_seg(&t, 0x0, 0x0, 0x40, 0x9000, 0x66);
    telf_add_str(&t, XEN_ELFNOTE_GUEST_OS, "Mini-OS");
    telf_add_str(&t, XEN_ELFNOTE_LOADER, "generic");
    telf_add_str(&t, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    telf_add_str(&t, XEN_ELFNOTE_FEATURES, "writable_descriptor_tables");
    put_elf("minios-defaults", &t);

    tiny_linux(&t);
    elf_len = telf_write(&t, &elf);
    z_len = telf_xz(elf, elf_len, &z);
    put("linux.xz", z, z_len);
    bz_len = telf_bzimage(z, z_len, 1, 0x20f, &bz);
    put("bzimage-xz", bz, bz_len);
    free(bz);
    bz_len = telf_bzimage(z, z_len, 0, 0x208, &bz);
    put("bzimage-xz-setup-sects-0", bz, bz_len);
    free(bz);
    free(z);
    z_len = telf_gzip(elf, elf_len, &z);
    put("linux.gz", z, z_len);
    bz_len = telf_bzimage(z, z_len, 1, 0x20f, &bz);
    put("bzimage-gzip", bz, bz_len);
    free(bz);
    free(z);
    free(elf);
    return 0;
}
