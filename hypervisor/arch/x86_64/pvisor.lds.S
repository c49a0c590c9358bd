/* SPDX-License-Identifier: MIT */
/*
 * Link map of the hypervisor image.  The boot code runs at its physical
 * address (VMA = LMA = 0x200000); everything else is linked at
 * HV_VIRT_START + its load address.  QEMU's loader places each PT_LOAD at
 * p_paddr.  The symbol table for stack traces (.symtab.pvisor) comes last,
 * in its own segment after .bss, so that filling it in the second link
 * pass moves no other symbol.
 */
#include <asm/config.h>

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(pvh_entry)

PHDRS
{
    boot PT_LOAD FLAGS(7);
    text PT_LOAD FLAGS(5);
    rodata PT_LOAD FLAGS(4);
    data PT_LOAD FLAGS(6);
    syms PT_LOAD FLAGS(4);
    note PT_NOTE FLAGS(4);
}

SECTIONS
{
    . = HV_IMAGE_PADDR;
    __image_start = . + HV_VIRT_START;
    .boot : {
        *(.text.boot)
        *(.data.boot)
    } :boot

    . = ALIGN(PAGE_SIZE);
    . += HV_VIRT_START;

    .text : AT(ADDR(.text) - HV_VIRT_START) {
        __text_start = .;
        *(.text .text.*)
        *(.fixup)
        __text_end = .;
    } :text

    . = ALIGN(PAGE_SIZE);
    .rodata : AT(ADDR(.rodata) - HV_VIRT_START) {
        *(.rodata .rodata.*)
        . = ALIGN(8);
        __param_start = .;
        *(.data.param)
        __param_end = .;
        . = ALIGN(8);
        __ex_table_start = .;
        *(.ex_table)
        __ex_table_end = .;
    } :rodata
    .note.pvh : AT(ADDR(.note.pvh) - HV_VIRT_START) {
        *(.note.pvh)
    } :rodata :note
    .note.gnu.build-id : AT(ADDR(.note.gnu.build-id) - HV_VIRT_START) {
        *(.note.gnu.build-id)
    } :rodata

    . = ALIGN(PAGE_SIZE);
    .data : AT(ADDR(.data) - HV_VIRT_START) {
        *(.data .data.*)
        *(.got .got.plt)
    } :data
    .bss (NOLOAD) : AT(ADDR(.bss) - HV_VIRT_START) {
        . = ALIGN(PAGE_SIZE);
        __bss_start = .;
        *(.bss.stack_aligned)
        *(.bss .bss.* COMMON)
        . = ALIGN(8);
        __bss_end = .;
    } :data

    . = ALIGN(PAGE_SIZE);
    .symtab.pvisor : AT(ADDR(.symtab.pvisor) - HV_VIRT_START) {
        *(.symtab.pvisor)
    } :syms
    . = ALIGN(PAGE_SIZE);
    __image_end = .;

    /DISCARD/ : {
        *(.comment) *(.eh_frame) *(.note.GNU-stack) *(.rela.*) *(.dynamic)
        *(.dynsym) *(.dynstr) *(.hash) *(.gnu.hash) *(.interp)
    }
}
