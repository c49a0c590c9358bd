/* SPDX-License-Identifier: MIT */
/*
 * Start of day and the Xen ELF notes.
 *
 * The domain builder enters _start in guest-kernel mode (CPL3, CS 0xe033,
 * SS 0xe02b) with events masked, RSP at the top of its one-page boot stack
 * and RSI holding the virtual address of start_info.  We move to our own
 * 16 KiB stack in .bss (so the builder's boot stack becomes free padding)
 * and call guest_setup(start_info).
 *
 * The notes (xen/elfnote.h; name "Xen") tell the builder how to load us:
 * virtual base 0xffffffff80000000 with physical offset 0 (every PT_LOAD
 * lands at VIRT_BASE + p_paddr), the entry point, and no required
 * features: page tables are only ever changed by explicit hypercalls.
 * The reference flavour (GUEST_HYPERCALL_PAGE) also asks for a hypercall
 * page and reserves it here, page-aligned in .text.
 */
#include <xen/elfnote.h>

#ifndef GUEST_VIRT_BASE
#define GUEST_VIRT_BASE 0xffffffff80000000
#endif

#ifdef GUEST_HYPERCALL_PAGE
#define GUEST_OS_NAME "pvisor-ref"
#else
#define GUEST_OS_NAME "pvisor-test"
#endif

	.section .text.entry, "ax"
	.globl _start
_start:
	cld
	mov	%rsp, boot_stack_top(%rip)
	lea	guest_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	mov	%rsi, %rdi
	call	guest_setup
	ud2

#ifdef GUEST_HYPERCALL_PAGE
	.section .text.hypercall_page, "ax"
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.fill 4096, 1, 0xcc	/* int3 everywhere until the builder fills it */
#endif

	.section .bss.stack, "aw", @nobits
	.balign 4096
	.globl guest_stack
guest_stack:
	.skip 16384
guest_stack_top:

.macro ELFNOTE_BEGIN type
	.pushsection .note.Xen, "a", @note
	.balign 4
	.long	2f - 1f
	.long	4f - 3f
	.long	\type
1:	.asciz	"Xen"
2:	.balign 4
3:
.endm
.macro ELFNOTE_END
4:	.balign 4
	.popsection
.endm
.macro ELFNOTE_STR type, str
	ELFNOTE_BEGIN \type
	.asciz	"\str"
	ELFNOTE_END
.endm
.macro ELFNOTE_NUM type, value
	ELFNOTE_BEGIN \type
	.quad	\value
	ELFNOTE_END
.endm

	ELFNOTE_STR XEN_ELFNOTE_GUEST_OS, GUEST_OS_NAME
	ELFNOTE_STR XEN_ELFNOTE_GUEST_VERSION, "1"
	ELFNOTE_STR XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
	ELFNOTE_STR XEN_ELFNOTE_LOADER, "generic"
	ELFNOTE_STR XEN_ELFNOTE_FEATURES, ""
	ELFNOTE_NUM XEN_ELFNOTE_VIRT_BASE, GUEST_VIRT_BASE
	ELFNOTE_NUM XEN_ELFNOTE_PADDR_OFFSET, 0
	ELFNOTE_NUM XEN_ELFNOTE_ENTRY, _start
#ifdef GUEST_HYPERCALL_PAGE
	ELFNOTE_NUM XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page
#endif

	.section .note.GNU-stack, "", @progbits
