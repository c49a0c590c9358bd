#!/bin/sh
# SPDX-License-Identifier: MIT
# Writes the assembly for the hypervisor's symbol table (see
# common/symbols.c) from the text symbols of a linked image.
# Usage: gensyms.sh IMAGE > symbols.S   (IMAGE "-" gives an empty table)
set -e
echo '        .section .symtab.pvisor, "a"'
echo '        .balign 8'
if [ "$1" = "-" ]; then
    echo '        .globl symtab_count, symtab_addrs, symtab_name_offs, symtab_names'
    echo 'symtab_count: .quad 0'
    echo 'symtab_addrs:'
    echo 'symtab_name_offs:'
    echo 'symtab_names: .byte 0'
    exit 0
fi
nm -n --defined-only "$1" | awk '
    $2 ~ /^[tTwW]$/ && $3 !~ /^(\.|__text_|_text)/ { addr[n] = $1; name[n] = $3; n++ }
    END {
        print "        .globl symtab_count, symtab_addrs, symtab_name_offs, symtab_names"
        printf "symtab_count: .quad %d\n", n
        print "symtab_addrs:"
        for (i = 0; i < n; i++) printf "        .quad 0x%s\n", addr[i]
        print "symtab_name_offs:"
        off = 0
        for (i = 0; i < n; i++) { printf "        .long %d\n", off; off += length(name[i]) + 1 }
        print "symtab_names:"
        for (i = 0; i < n; i++) printf "        .asciz \"%s\"\n", name[i]
    }'
