# SPDX-License-Identifier: MIT
#
# Benchmarks (`make bench` runs bench/run).  Helper binaries and data go to
# $(BUILD)/bench/data so that bench/run only starts the scripts.

BENCHMARKS += $(BUILD)/bench/data/pvh-exit.elf $(BUILD)/bench/data/hypercall_rt \
	$(BUILD)/bench/data/gnttab_peer

$(BUILD)/bench/data/pvh-exit.elf: bench/machine/pvh_exit.S
	@echo "  AS      $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) -c -o $@.o $<
	$(Q)$(FREELD) -m elf_x86_64 -Ttext=0x100000 -z max-page-size=4096 \
		--no-warn-rwx-segments -e entry -o $@ $@.o

$(BUILD)/bench/data/hypercall_rt: bench/machine/hypercall_rt.c $(BUILD)/lib/libpvctrl.a | $(BUILD)/include/xen
	@echo "  BENCH   $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_CFLAGS_dom0-tools) -o $@ $< $(BUILD)/lib/libpvctrl.a

# The grant-table test program, without sanitizers, for bench/domains/grant_copy.sh.
$(BUILD)/bench/data/gnttab_peer: tests/integration/grants/gnttab_peer.c $(BUILD)/lib/libpvctrl.a | $(BUILD)/include/xen
	@echo "  BENCH   $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_CFLAGS_dom0-tools) -o $@ $< $(BUILD)/lib/libpvctrl.a

# The block benchmark's host baseline (bench/drivers/block.sh).
BENCHMARKS += $(BUILD)/bench/data/blkhost
$(BUILD)/bench/data/blkhost: bench/drivers/blkhost.c
	@echo "  BENCH   $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -o $@ $<
