#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes the seed corpus of the ptwr-insn fuzz target (fuzz_ptwr_insn.c):
# the forms Linux uses on PTEs and the prefixes and addressing forms the
# decoder handles, each as [length][bytes] followed by an entry and a few
# registers.  Usage: make-corpus.sh DIR
set -eu
dir=${1:-$(dirname "$0")/corpus}
mkdir -p "$dir"
# An entry (a present, writable PTE) and rax, rcx, rdx, rbx.
tail='\147\120\064\022\000\000\000\200\147\120\064\022\000\000\000\200\100\000\000\000\000\000\000\000\374\377\377\377\377\377\377\377\000\020\000\200\377\377\377\377'
seed() { # NAME LENGTH-AS-OCTAL BYTES-AS-OCTAL-ESCAPES
    printf "\\$2$3$tail" >"$dir/$1"
}
seed mov-r64             003 '\110\211\007'                 # mov %rax,(%rdi)
seed movq-0              007 '\110\307\007\000\000\000\000' # movq $0,(%rdi)
seed xchg                003 '\110\207\007'                 # xchg %rax,(%rdi)
seed lock-andb           004 '\360\200\047\375'             # lock andb $0xfd,(%rdi)
seed lock-orb            004 '\360\200\017\002'             # lock orb $2,(%rdi)
seed lock-xorb-disp      005 '\360\200\167\007\200'         # lock xorb $0x80,7(%rdi)
seed lock-btrq-imm       006 '\360\110\017\272\067\005'     # lock btrq $5,(%rdi)
seed lock-bts-reg        005 '\360\110\017\253\017'         # lock bts %rcx,(%rdi)
seed lock-cmpxchg        005 '\360\110\017\261\027'         # lock cmpxchg %rdx,(%rdi)
seed cmpxchgb-dh         004 '\360\017\260\067'             # lock cmpxchg %dh,(%rdi)
seed movb-ah             003 '\210\147\001'                 # mov %ah,1(%rdi)
seed movw-imm16          006 '\146\307\107\006\001\200'     # movw $0x8001,6(%rdi)
seed sib-rex             005 '\112\211\164\145\360'         # mov %rsi,-16(%rbp,%r12,2)
seed rip-relative        007 '\110\211\005\000\010\000\000' # mov %rax,0x800(%rip)
seed fs-addr32           005 '\144\147\110\211\003'         # mov %rax,%fs:(%ebx)
seed orq-imm8s           005 '\360\110\203\017\360'         # lock orq $-16,(%rdi)
seed rep-stosq           003 '\363\110\253'                 # rep stosq (refused)
