/* SPDX-License-Identifier: MIT */
/*
 * Exception and callback entry stubs (see traps.h for the frame).
 *
 * On entry from the hypervisor the stack holds Xen's bounce frame
 *     rcx, r11, [error code], rip, cs, rflags, rsp, ss
 * so every stub first pops rcx and r11 (the interrupted values), pushes a
 * zero error code where the vector has none, pushes the vector number and
 * joins trap_common, which saves the remaining general registers and calls
 * trap_dispatch(frame).
 *
 * The way back is the iret hypercall: push the flags word (0: not in a
 * syscall), rcx, r11 and rax above the hardware-style frame and issue
 * hypercall 23, which restores all of them plus rip/cs/rflags/rsp/ss and
 * the event mask (!rflags.IF).  In the reference guest the jump goes to
 * stub 23 of the hypercall page, which pushes rcx/r11/rax itself.  A handler
 * may instead ask for the kernel->kernel shortcut `orb $3, cs; iretq`,
 * which is only correct when the event mask need not change.
 *
 * Alignment: the hypervisor aligns the frame base to 16 bytes, so after the
 * pushes below RSP is 16-byte aligned at the `call` whatever the vector.
 */
#include <xen/xen.h>
#include "traps.h"

#define HC_COUNT(nr) lock incq hypercall_counts + (nr) * 8(%rip)

	.text

.macro TRAP_STUB vec, has_err
	.balign 16
trap_stub_\vec:
	pop	%rcx
	pop	%r11
	.if \has_err == 0
	pushq	$0
	.endif
	pushq	$\vec
	jmp	trap_common
.endm

/* Vectors 0-31: the CPU pushes an error code for 8, 10-14, 17, 21, 29, 30. */
	TRAP_STUB 0, 0
	TRAP_STUB 1, 0
	TRAP_STUB 2, 0
	TRAP_STUB 3, 0
	TRAP_STUB 4, 0
	TRAP_STUB 5, 0
	TRAP_STUB 6, 0
	TRAP_STUB 7, 0
	TRAP_STUB 8, 1
	TRAP_STUB 9, 0
	TRAP_STUB 10, 1
	TRAP_STUB 11, 1
	TRAP_STUB 12, 1
	TRAP_STUB 13, 1
	TRAP_STUB 14, 1
	TRAP_STUB 15, 0
	TRAP_STUB 16, 0
	TRAP_STUB 17, 1
	TRAP_STUB 18, 0
	TRAP_STUB 19, 0
	TRAP_STUB 20, 0
	TRAP_STUB 21, 1
	TRAP_STUB 22, 0
	TRAP_STUB 23, 0
	TRAP_STUB 24, 0
	TRAP_STUB 25, 0
	TRAP_STUB 26, 0
	TRAP_STUB 27, 0
	TRAP_STUB 28, 0
	TRAP_STUB 29, 1
	TRAP_STUB 30, 1
	TRAP_STUB 31, 0
/* Software interrupts delivered by int $n emulation carry no error code. */
	TRAP_STUB 0x80, 0
	TRAP_STUB 0x81, 0
	TRAP_STUB 0x82, 0
	TRAP_STUB 0x83, 0
	TRAP_STUB 0x84, 0
	TRAP_STUB 0x85, 0
	TRAP_STUB 0x86, 0
	TRAP_STUB 0x87, 0
	TRAP_STUB 0x88, 0
	TRAP_STUB 0x89, 0
	TRAP_STUB 0x8a, 0
	TRAP_STUB 0x8b, 0
	TRAP_STUB 0x8c, 0
	TRAP_STUB 0x8d, 0
	TRAP_STUB 0x8e, 0
	TRAP_STUB 0x8f, 0

/* Event upcall: frame rcx, r11, rip, cs, rflags, rsp, ss; events masked. */
	.balign 16
	.globl hypervisor_callback
hypervisor_callback:
	pop	%rcx
	pop	%r11
	pushq	$0
	pushq	$VEC_EVENT
	jmp	trap_common

/*
 * Failsafe: the hypervisor could not reload our data segment selectors.
 * Frame rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss.  The selectors
 * are dropped (the hypervisor has left null ones loaded) and the event is
 * reported through trap_dispatch like any other.
 */
	.balign 16
	.globl failsafe_callback
failsafe_callback:
	pop	%rcx
	pop	%r11
	add	$32, %rsp
	pushq	$0
	pushq	$VEC_FAILSAFE
	jmp	trap_common

/* syscall from guest user mode: frame rcx(user rip), r11(user rflags), ... */
	.balign 16
	.globl syscall_callback
syscall_callback:
	pop	%rcx
	pop	%r11
	pushq	$0
	pushq	$VEC_SYSCALL
	jmp	trap_common

	.balign 16
trap_common:
	push	%rdi
	push	%rsi
	push	%rdx
	push	%rcx
	push	%rax
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%rbx
	push	%rbp
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	cld
	mov	%rsp, %rdi
	call	trap_dispatch
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbp
	pop	%rbx
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rax
	pop	%rcx
	pop	%rdx
	pop	%rsi
	pop	%rdi
	cmpq	$TRAP_EXIT_DIRECT, (%rsp)
	je	1f
	add	$16, %rsp		/* vector, error code */
	HC_COUNT(__HYPERVISOR_iret)
	pushq	$0			/* iret_context.flags: not VGCF_in_syscall */
#ifdef GUEST_HYPERCALL_PAGE
	jmp	hypercall_page + __HYPERVISOR_iret * 32
#else
	push	%rcx
	push	%r11
	push	%rax
	mov	$__HYPERVISOR_iret, %eax
	syscall
	ud2				/* iret does not return here */
#endif
1:	add	$16, %rsp
	orb	$3, 8(%rsp)		/* kernel frames carry RPL 0 in cs */
	iretq

/* Stub addresses for traps.c, in the order of TRAP_NR_STUBS. */
	.section .rodata
	.balign 8
	.globl trap_stub_table
trap_stub_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_stub_\v
	.endr
	.irp v, 0x80,0x81,0x82,0x83,0x84,0x85,0x86,0x87,0x88,0x89,0x8a,0x8b,0x8c,0x8d,0x8e,0x8f
	.quad trap_stub_\v
	.endr

	.section .note.GNU-stack, "", @progbits
