/* SPDX-License-Identifier: MIT */
/*
 * user_enter(k, rip, rsp, arg): save the kernel context in k (callee-saved
 * registers, the stack pointer and return address user_enter's caller
 * gets back) and enter user mode with the iret hypercall.
 *
 * The iret context is built as Xen defines it (struct iret_context,
 * lowest address first): rax r11 rcx flags rip cs rflags rsp ss.  A CS of
 * RPL 3 is a return to user mode: the hypervisor switches to the user L4
 * and swaps the GS bases.  In the reference guest's flavour the jump goes
 * to stub 23 of the hypercall page, which pushes rcx, r11 and rax itself
 * (as entry.S does on the way back from a trap).
 *
 * user_enter does not return here: user_frame_to_kernel() (user.c) later
 * rewrites a user frame to resume k, so the trap's own iret comes back to
 * the return address with k's registers and stack.
 */
#include <xen/xen.h>

#define HC_COUNT(nr) lock incq hypercall_counts + (nr) * 8(%rip)

	.text
	.globl user_enter
	.balign 16
user_enter:
	/* rdi = k, rsi = rip, rdx = rsp, rcx = arg; k->rflags set by caller */
	mov	%rbx, 0(%rdi)
	mov	%rbp, 8(%rdi)
	mov	%r12, 16(%rdi)
	mov	%r13, 24(%rdi)
	mov	%r14, 32(%rdi)
	mov	%r15, 40(%rdi)
	lea	8(%rsp), %rax
	mov	%rax, 48(%rdi)		/* the caller's rsp after `ret` */
	mov	(%rsp), %rax
	mov	%rax, 56(%rdi)		/* the return address */
	mov	%rcx, %rdi		/* user rdi = arg */
	pushq	$FLAT_USER_SS64
	pushq	%rdx
	pushq	$0x202			/* IF: events enabled in user mode */
	pushq	$FLAT_USER_CS64
	pushq	%rsi
	pushq	$0			/* flags: not VGCF_in_syscall */
	xor	%ecx, %ecx
	xor	%r11d, %r11d
	xor	%eax, %eax
	HC_COUNT(__HYPERVISOR_iret)
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

	.section .note.GNU-stack, "", @progbits
