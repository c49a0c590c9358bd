#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 300
# The guided labs of docs/exercises/ (01 to 05; 06 is new-hypercall.sh):
# each lab's commands, run as the text gives them, and what the text says
# the trace shows, checked -- counts, presence, order, and ratios in the
# direction the text says, never a timing.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 21
pvisor_rundir
cd "$PVISOR_RUNDIR" || exit 1

# dump FILE DOMAIN-NAME [CLASSES]: `pvctl trace dump` of that domain.
dump() {
    local id
    id=$("$PVCTL" trace report --json "$1" | python3 -c "
import json, sys
r = json.load(sys.stdin)
print(''.join(str(d['domid']) for d in r['domains'] if d['name'] == sys.argv[1]))" "$2")
    "$PVCTL" trace dump -d "${id:-99999}" -e "${3:-all}" "$1"
}

check "pvctl up" "$PVCTL" up --memory 256M

# ---- 01: the hypercalls of a guest's boot
"$PVCTL" trace record -o boot.trace -- \
    "$PVCTL" create -c "$GUESTS/hello.cfg" 'cmdline="procs=0"' >/dev/null 2>&1
dump boot.trace hello hcall >boot.txt
diag "$(grep -v "event_channel_op(send)" boot.txt | head -n 4)"
check "01: console output first; then set_trap_table, callback_op(register)" \
    eval '[ "$(awk "NR == 1 {print \$5}" boot.txt)" = "event_channel_op(send)" ] &&
          [ "$(grep -v -e console_io -e "event_channel_op(send)" \
                   -e "sched_op(yield)" boot.txt |
               awk "NR<=2 {print \$5}" |
               tr "\n" " ")" = "set_trap_table callback_op(register) " ]'
check "01: shared_info is mapped (update_va_mapping) before bind_virq" \
    eval 'awk "/update_va_mapping/ && !u {u=NR} /bind_virq/ && !b {b=NR}
               END {exit !(u && b && u < b)}" boot.txt'
check "01: the last hypercall is sched_op(shutdown)" \
    eval '[ "$(tail -n 1 boot.txt | awk "{print \$5}")" = "sched_op(shutdown)" ]'
check "01: every #UD/#BP/#PF/#DE bounce is followed by an iret hypercall" \
    eval 'dump boot.trace hello trap,hcall | awk "
        / trap / {t++; open=1; next}
        open && /hcall +iret/ {ok++; open=0}
        END {exit !(t == 4 && ok == 4)}"'

# ---- 02: batching page-table updates
"$PVCTL" trace record -e hcall -o mmu.trace -- \
    "$PVCTL" create -c "$GUESTS/hello.cfg" 'name="mmu"' 'memory=128' \
    'cmdline="procs=0 bench_mmu=3"' >/dev/null 2>&1
dump mmu.trace mmu hcall >mmu.txt
# Medians: the first call into cold code also pays for QEMU's translation.
read -r singles batches per_single per_batch < <(awk '
    $5 == "mmu_update" {
        split($0, a, "[[]"); split(a[2], b, " ")
        if ($7 == "0x1") print "s", b[1]
        if ($7 == "0x200") print "b", b[1] / 512
    }' mmu.txt | sort -k1,1 -k2,2g | awk '
    { v[$1, ++n[$1]] = $2 }
    END { printf "%d %d %.3f %.3f\n", n["s"], n["b"],
          v["s", int((n["s"] + 1) / 2)], v["b", int((n["b"] + 1) / 2)] }')
diag "mmu_update: $singles single calls (median $per_single us), $batches batches of 512 (median $per_batch us per entry)"
check "02: 3 x 512 single mmu_updates and 1 + 3 batches of 512" \
    test "$singles" = 1536 -a "$batches" = 4
check "02: an entry costs the hypervisor more alone than in a batch" \
    awk -v s="$per_single" -v b="$per_batch" 'BEGIN { exit !(s > b) }'
log=$(console_log mmu)
check "02: ... and the guest's own clock agrees (update-single > update-batch)" \
    eval 'awk "/bench-mmu update-single/ {s=\$5} /bench-mmu update-batch/ {b=\$5}
               END {exit !(s > b && b > 0)}" "$log"'
"$PVCTL" trace record -e hcall -o mc.trace -- \
    "$PVCTL" create -c "$GUESTS/tests/multicall.cfg" >/dev/null 2>&1
check "02: a multicall's entries are recorded inside it (multicall entry)" \
    eval 'dump mc.trace test-multicall hcall | grep -q "(multicall entry)$" &&
          "$PVCTL" trace report mc.trace | grep -A1 "^test-multicall" |
          grep -qE "[0-9]+ multicall entries"'

# ---- 03: one event from sender to receiver
CFG=$GUESTS/peers/pingpong.cfg
"$PVCTL" create -p "$CFG" 'name="ga"' 'cmdline="role=a count=20"' >/dev/null
"$PVCTL" create -p "$CFG" 'name="gb"' \
    "cmdline=\"role=b peer=$(domid ga) count=20\"" >/dev/null
"$PVISOR_TOP/$BUILD/tests/bin/evtchn_peer" alloc-unbound "$(domid ga)" \
    "$(domid gb)" >/dev/null
a=$(domid ga) b=$(domid gb)
# Recording while the command runs: unpause both, wait for gb's plan line.
"$PVCTL" trace record -e evtchn,sched,hcall -o pp.trace -- bash -c '
    "$1" unpause ga && "$1" unpause gb || exit 1
    for _ in $(seq 600); do grep -q "^1\.\." "$2" && exit 0; sleep 0.1; done
    exit 1' _ "$PVCTL" "$(console_log gb)" >/dev/null 2>&1
wait_for 10 eval 'tap_passed "$(console_log ga)"'
"$PVCTL" trace dump pp.trace >pp.txt
check "03: both guests passed their ping-pong" \
    eval 'tap_passed "$(console_log ga)" && tap_passed "$(console_log gb)"'
check "03: gb sent 20 pings and ga 20 answers" \
    eval '[ "$(grep -c "d${b}v0 *send .* -> d${a} " pp.txt)" = 20 ] &&
          [ "$(grep -c "d${a}v0 *send .* -> d${b} " pp.txt)" = 20 ]'
check "03: each ping: send, pending in ga, upcall in ga, then ga's answer" \
    awk -v a="d${a}v0" -v b="d${b}v0" -v da="d${a}" -v db="d${b}" '
        $3 == b && $4 == "send" && $8 == da { want = "pending"; port = $10; sends++; next }
        $3 == a && $4 == want && want == "pending" && $6 == port { want = "upcall"; next }
        $3 == a && $4 == want && want == "upcall" { want = "answer"; next }
        $3 == a && $4 == "send" && $8 == db && want == "answer" { ok++; want = "" }
        END { print "# " ok " of " sends " pings in order"; exit !(sends == 20 && ok == 20) }' pp.txt
check "03: a blocked receiver is woken by the send (wake after pending)" \
    awk -v a="d${a}v0" '
        $3 == a && $4 == "block" { blocked = 1 }
        $3 == a && $4 == "pending" && blocked { p = 1 }
        $3 == a && $4 == "wake" && p { ok = 1 }
        END { exit !ok }' pp.txt

# ---- 04: writable page tables against mmu_update
"$PVCTL" trace record -e ptwr,trap,hcall -o ptwr.trace -- \
    "$PVCTL" create -c "$GUESTS/tests/ptwr.cfg" 'cmdline="bench=1000"' \
    >/dev/null 2>&1
log=$(console_log test-ptwr)
emul=$(sed -n 's/^# ptwr: \([0-9]*\) L1 writes emulated.*/\1/p' "$log")
dump ptwr.trace test-ptwr ptwr >ptwr.txt
check "04: one ptwr record with result 0 per emulated write (${emul:-?})" \
    eval '[ "$(grep -c " result 0 " ptwr.txt)" = "${emul:-none}" ]'
# The bench's store is the rip with the most emulated records.
check "04: the bench's store: >= 1000 records, and no #PF reaches the guest there" \
    eval 'dump ptwr.trace test-ptwr ptwr,trap | awk "
        / ptwr / && / result 0 / {n[\$14]++}
        / trap +#PF/ {pf[\$9]++}
        END {for (r in n) if (n[r] > best) {best = n[r]; rip = r}
             print \"# \" best \" emulated at \" rip \", \" pf[rip] + 0 \" #PF there\"
             exit !(best >= 1000 && !pf[rip])}"'
check "04: the guest's clock: an emulated store costs more than a plain one" \
    eval 'awk "/ptwr: bench/ {
        for (i = 1; i <= NF; i++) { if (\$i == \"emulated\") e = \$(i+1)
                                    if (\$i == \"store\") s = \$(i+1) } }
        END {exit !(e > s && s > 0)}" "$log"'

# ---- 05: system calls in a PV guest
"$PVCTL" trace record -e trap,hcall -o um.trace -- \
    "$PVCTL" create -c "$GUESTS/tests/usermode.cfg" >/dev/null 2>&1
dump um.trace test-usermode trap,hcall >um.txt
check "05: 3 user syscalls and 1 int \$0x80 bounced to the guest kernel" \
    eval '[ "$(grep -c "trap *syscall" um.txt)" = 3 ] &&
          [ "$(grep -c "trap *int \$0x80" um.txt)" = 1 ]'
check "05: each bounce returns to user mode through the iret hypercall" \
    awk '/ trap / { if (open) bad++; open = 1; n++; next }
         open && /hcall +iret / { open = 0; ok++ }
         END { exit !(n >= 4 && ok == n && !bad) }' um.txt
"$PVCTL" trace record -e trap -o procs.trace -- \
    "$PVCTL" create -c "$GUESTS/hello.cfg" 'name="procs"' >/dev/null 2>&1
n=$(sed -n 's/^hello: .* \([0-9]*\) syscalls$/\1/p' "$(console_log procs)")
check "05: hello's processes: as many syscall bounces as it counted (${n:-?})" \
    eval '[ "$(dump procs.trace procs trap | grep -c "trap *syscall")" = "${n:-none}" ]'
base=$("$PVCTL" dmesg | sed -n 's/.*syscall\/sysretq round trip \([0-9]*\) cycles.*/\1/p')
check "05: the hypervisor log has the bare syscall/sysretq baseline (${base:-?})" \
    test -n "$base"
"$PVCTL" create -c "$GUESTS/tests/usermode.cfg" 'name="um-bench"' \
    'cmdline="bench=1000"' >/dev/null 2>&1
line=$(grep "usermode: bench" "$(console_log um-bench)")
diag "$line"
check "05: both kinds of PV system call cost more than the bare round trip" \
    eval 'tap_passed "$(console_log um-bench)" &&
          awk -v b="${base:-0}" "{ s = \$13; i = \$16; sub(\",\", \"\", s)
              exit !(b > 0 && s > b && i > b) }" <<<"$line"'
