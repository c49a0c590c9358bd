/* SPDX-License-Identifier: MIT */
/*
 * The smallest PVH kernel: it leaves QEMU through isa-debug-exit at its
 * first instruction.  The boot-time benchmark times QEMU starting and
 * running it as the fixed cost every boot pays.
 */
        .section .note.pvh, "a"
        .balign 4
        .long 4, 8, 18
        .asciz "Xen"
        .balign 4
        .quad entry

        .text
        .code32
        .globl entry
entry:
        mov     $0x10, %al
        out     %al, $0xf4
1:      hlt
        jmp     1b
