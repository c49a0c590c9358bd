#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 300
# Lab 06 (docs/exercises/06-new-hypercall.md): a scratch copy of the tree
# (sources, and the build directory so that only what the patch touches is
# rebuilt), docs/exercises/06-new-hypercall.patch applied, the hypervisor,
# pvctl and the lab guest built, booted, and the new hypercall seen in the
# trace: named lab_count, as many calls as the guest made, each answer one
# more than the one before, and the first answer equal to the number of
# hypercall records of the domain up to it (the hypervisor's counter and
# its trace agree).
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 7
pvisor_rundir

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pvisor-lab06.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
top=$PVISOR_TOP

check "copy the tree (sources and $BUILD/) to a scratch directory" \
    eval '(cd "$top" && tar --exclude="./$BUILD" --exclude=./.git -cf - .) |
              tar -C "$SCRATCH" -xf - &&
          (cd "$top" && tar -cf - "$BUILD/bin" "$BUILD/lib" "$BUILD/obj" \
              "$BUILD/boot" "$BUILD/hypervisor" "$BUILD/guests" \
              "$BUILD/include") | tar -C "$SCRATCH" -xf -'
check "the lab's patch applies" \
    eval 'cd "$SCRATCH" && patch -p1 <docs/exercises/06-new-hypercall.patch'
check "make builds the hypervisor, pvctl and the lab guest" \
    eval 'make -C "$SCRATCH" -j2 BUILD="$BUILD" "$BUILD/boot/pvisor.elf" \
          "$BUILD/bin/pvctl" "$BUILD/guests/test-lab.elf" >"$PVISOR_RUNDIR/make.log" 2>&1 ||
          { tail -n 20 "$PVISOR_RUNDIR/make.log"; false; }'

# The scratch pvctl starts the scratch hypervisor (it finds it next to
# itself), in this test's run directory.
P=$SCRATCH/$BUILD/bin/pvctl
check "the patched machine boots" "$P" up --memory 128M
"$P" trace record -e hcall -o "$PVISOR_RUNDIR/lab.trace" -- \
    "$P" create -c "$SCRATCH/guests/tests/lab.cfg" 'cmdline="count=50"' \
    >/dev/null 2>&1
check "the lab guest passed its checks" tap_passed "$(console_log test-lab)"
diag "$(grep -v '^---' "$(console_log test-lab)")"
rep=$("$P" trace report "$PVISOR_RUNDIR/lab.trace")
diag "$(grep -A3 '^test-lab' <<<"$rep")"
check "the report names lab_count, 51 calls" \
    eval 'grep -qE "^  lab_count +51 " <<<"$rep"'
check "answers count up by one; the first is the domain's records so far" \
    eval '"$P" trace dump -e hcall "$PVISOR_RUNDIR/lab.trace" | awk "
        \$3 ~ /^d[0-9]+v0\$/ && \$3 != \"d0v0\" {
            n++
            if (\$5 == \"lab_count\") {
                r = \$10
                if (!first) first = r
                if (\$6 == \"0\" && last && r != last + 1) bad++
                last = r
                if (!seen++ && r != n) bad++
            }
        }
        END {print \"# first answer \" first \", last \" last
             exit !(first && !bad)}"'
"$P" down >/dev/null 2>&1
