# SPDX-License-Identifier: MIT
#
# The hypervisor image: $(BUILD)/boot/pvisor.elf, an ELF64 with a PVH entry
# note, booted by `qemu-system-x86_64 -kernel`.  Freestanding flags; the Xen
# public headers are included with __XEN_TOOLS__ defined because __XEN__
# would pull in Xen's own internal headers.

HV_OUT := $(BUILD)/hypervisor
HV_IMAGE := $(BUILD)/boot/pvisor.elf
HV_INC := -Ihypervisor/include -Ihypervisor/arch/x86_64/include \
	-I$(HV_OUT)/include
HV_CFLAGS := $(FREE_CFLAGS) -D__XEN_TOOLS__ $(HV_INC) \
	-include hypervisor/include/pvisor/compiler.h
HV_ASFLAGS := $(FREE_ASFLAGS) -D__XEN_TOOLS__ $(HV_INC)

HV_C_SRCS := $(wildcard hypervisor/common/*.c) \
	$(filter-out %/asm-offsets.c,$(wildcard hypervisor/arch/x86_64/*.c)) \
	$(wildcard hypervisor/arch/x86_64/pv/*.c)
HV_S_SRCS := $(filter-out %.lds.S,$(wildcard hypervisor/arch/x86_64/*.S)) \
	$(wildcard hypervisor/arch/x86_64/pv/*.S)
HV_OBJS := $(patsubst hypervisor/%.c,$(HV_OUT)/%.o,$(HV_C_SRCS)) \
	$(patsubst hypervisor/%.S,$(HV_OUT)/%.o,$(HV_S_SRCS))
HV_GEN := $(HV_OUT)/include/asm-offsets.h $(HV_OUT)/include/build-info.h
HV_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments --build-id=sha1

$(HV_OUT)/%.o: hypervisor/%.c | $(BUILD)/include/xen $(HV_GEN)
	@echo "  CC [hv] $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(HV_CFLAGS) -MMD -MP -c -o $@ $<

$(HV_OUT)/%.o: hypervisor/%.S | $(BUILD)/include/xen $(HV_GEN)
	@echo "  AS [hv] $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(HV_ASFLAGS) -MMD -MP -c -o $@ $<

$(HV_OUT)/include/asm-offsets.h: hypervisor/arch/x86_64/asm-offsets.c | $(BUILD)/include/xen
	@echo "  GEN     $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(HV_CFLAGS) -S -o $@.s $<
	$(Q){ echo "/* Generated from asm-offsets.c; do not edit. */"; \
	  echo "#ifndef ASM_OFFSETS_H"; echo "#define ASM_OFFSETS_H"; \
	  sed -n 's/.*->\([A-Za-z_0-9]*\) \$$\{0,1\}\([-0-9]*\).*/#define \1 \2/p' $@.s; \
	  echo "#endif"; } > $@.tmp && mv $@.tmp $@

# Build facts for XENVER_compile_info/changeset; rewritten only on change.
$(HV_OUT)/include/build-info.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q){ echo "#define BUILD_CHANGESET \"$$(git describe --always --dirty 2>/dev/null || echo unknown)\""; \
	  echo "#define BUILD_USER \"$$(id -un 2>/dev/null || echo unknown)\""; \
	  echo "#define BUILD_HOST \"$$(hostname 2>/dev/null || echo unknown)\""; \
	  echo "#define BUILD_DATE \"$$(date -u '+%Y-%m-%d %H:%M UTC')\""; } > $@.tmp
	$(Q)if cmp -s $@.tmp $@ || { [ -f $@ ] && diff <(grep -v BUILD_DATE $@.tmp) <(grep -v BUILD_DATE $@) >/dev/null; }; \
	  then rm -f $@.tmp; else mv $@.tmp $@; fi
.PHONY: FORCE
FORCE:

$(HV_OUT)/pvisor.lds: hypervisor/arch/x86_64/pvisor.lds.S | $(BUILD)/include/xen
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) -E -P -D__ASSEMBLY__ $(HV_INC) -o $@ $<

$(HV_OUT)/symbols-empty.o: hypervisor/tools/gensyms.sh
	$(Q)mkdir -p $(@D)
	$(Q)hypervisor/tools/gensyms.sh - > $(HV_OUT)/symbols-empty.S
	$(Q)$(FREECC) -c -o $@ $(HV_OUT)/symbols-empty.S

# Two link passes: the second embeds the symbol table of the first.
$(HV_IMAGE): $(HV_OBJS) $(HV_OUT)/pvisor.lds $(HV_OUT)/symbols-empty.o
	@echo "  LD      $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREELD) $(HV_LDFLAGS) -T $(HV_OUT)/pvisor.lds -o $(HV_OUT)/pass1.elf \
		$(HV_OBJS) $(HV_OUT)/symbols-empty.o
	$(Q)hypervisor/tools/gensyms.sh $(HV_OUT)/pass1.elf > $(HV_OUT)/symbols.S
	$(Q)$(FREECC) -c -o $(HV_OUT)/symbols.o $(HV_OUT)/symbols.S
	$(Q)$(FREELD) $(HV_LDFLAGS) -T $(HV_OUT)/pvisor.lds -o $@ \
		$(HV_OBJS) $(HV_OUT)/symbols.o
	$(Q)nm -n $(HV_OUT)/pass1.elf | grep -v symtab_ > $(HV_OUT)/pass1.syms; \
	  nm -n $@ | grep -v symtab_ > $(HV_OUT)/pass2.syms; \
	  grep -v -e __image_end $(HV_OUT)/pass1.syms > $(HV_OUT)/p1; \
	  grep -v -e __image_end $(HV_OUT)/pass2.syms > $(HV_OUT)/p2; \
	  cmp -s $(HV_OUT)/p1 $(HV_OUT)/p2 || { echo "symbol table moved symbols" >&2; exit 1; }

ALL_TARGETS += $(HV_IMAGE)

# Unit tests: the real hypervisor sources compiled for the host against the
# small host versions of internal headers in tests/unit/host-include.
HV_TEST_CFLAGS := -D__XEN_TOOLS__ -Itests/unit/host-include -Ihypervisor/include \
	-Ihypervisor/arch/x86_64/include -Ihypervisor/include/public \
	-Idom0-tools/linkd -Wno-unused-function
HV_UT := tests/unit/hypervisor
$(eval $(call unit_test,hv_page_alloc,$(HV_UT)/test_page_alloc.c \
	hypervisor/common/page_alloc.c,,$(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_e820,$(HV_UT)/test_e820.c \
	hypervisor/arch/x86_64/e820.c,,$(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_link_ring,$(HV_UT)/test_link_ring.c \
	hypervisor/common/link_ring.c dom0-tools/linkd/front.c,,$(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_console_ring,$(HV_UT)/test_console_ring.c \
	hypervisor/common/console.c,,$(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_sched_policy,$(HV_UT)/test_sched_policy.c \
	hypervisor/common/sched_policy.c,,$(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_grant_entry,$(HV_UT)/test_grant_entry.c \
	hypervisor/common/grant_entry.c,-lpthread,$(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_cpuid,$(HV_UT)/test_cpuid.c \
	hypervisor/arch/x86_64/pv/cpuid.c,,-I$(HV_UT)/cpuid-include $(HV_TEST_CFLAGS)))
$(eval $(call unit_test,hv_ptwr_insn,$(HV_UT)/test_ptwr_insn.c \
	$(HV_UT)/ptwr_insn_cases.S hypervisor/arch/x86_64/pv/ptwr_insn.c,, \
	$(HV_TEST_CFLAGS)))
$(eval $(call fuzz_target,ptwr-insn,tests/fuzz/ptwr/fuzz_ptwr_insn.c \
	hypervisor/arch/x86_64/pv/ptwr_insn.c,, \
	$(HV_TEST_CFLAGS),tests/fuzz/ptwr/corpus))
# The PV MMU on a model machine (tests/unit/hypervisor/mm_model.c): the
# real mm.c, mm_ops.c, descriptor_tables.c, domheap.c, page_alloc.c and
# guest_access.c against host stand-ins of the hardware headers.
HV_MM_MODEL_SRCS := $(HV_UT)/mm_model.c $(HV_UT)/mm_check.c \
	hypervisor/arch/x86_64/pv/mm.c hypervisor/arch/x86_64/pv/mm_ops.c \
	hypervisor/arch/x86_64/pv/descriptor_tables.c \
	hypervisor/common/domheap.c hypervisor/common/page_alloc.c \
	hypervisor/common/guest_access.c
HV_MM_MODEL_CFLAGS := -I$(HV_UT)/mm-include $(HV_TEST_CFLAGS)
HV_MM_MODEL_HDRS := $(HV_UT)/mm_model.h $(wildcard $(HV_UT)/mm-include/asm/*.h) \
	hypervisor/arch/x86_64/include/asm/pv_mm.h hypervisor/include/pvisor/mm.h
$(eval $(call unit_test,hv_pv_mm,$(HV_UT)/test_pv_mm.c $(HV_MM_MODEL_SRCS),,\
	$(HV_MM_MODEL_CFLAGS)))
$(BUILD)/tests/unit/hv_pv_mm: $(HV_MM_MODEL_HDRS)
# The same model driven by random hypercall sequences (tests/fuzz/pvmm/).
$(eval $(call fuzz_target,hv-pv-mm,tests/fuzz/pvmm/fuzz_pv_mm.c \
	tests/fuzz/common/hv_fuzz.c $(HV_MM_MODEL_SRCS),, \
	-I$(HV_UT) $(HV_MM_MODEL_CFLAGS),tests/fuzz/pvmm/corpus))
$(BUILD)/fuzz/hv-pv-mm: $(HV_MM_MODEL_HDRS)
# The event-channel port state machine (the real event_channel.c) on a
# host model of three domains; the model's asm/current.h and
# asm/processor.h stand in for the hardware.
$(eval $(call unit_test,hv_evtchn,$(HV_UT)/test_evtchn.c \
	hypervisor/common/event_channel.c,,-I$(HV_UT)/mm-include $(HV_TEST_CFLAGS)))
$(BUILD)/tests/unit/hv_evtchn: hypervisor/include/pvisor/event.h \
	hypervisor/include/pvisor/sched.h
# Grant tables on the same model, driven by random GNTTABOP_* sequences
# (tests/fuzz/gnttab/); the fuzzer includes grant_table.c to check its
# internal tables, and has room for one 64-frame table.
HV_GNTTAB_FUZZ_SRCS := tests/fuzz/gnttab/fuzz_gnttab.c \
	tests/fuzz/common/hv_fuzz.c \
	hypervisor/common/grant_entry.c $(HV_MM_MODEL_SRCS)
$(eval $(call fuzz_target,hv-gnttab,$(HV_GNTTAB_FUZZ_SRCS),, \
	-I$(HV_UT) -DMODEL_HEAP_FRAMES=480 $(HV_MM_MODEL_CFLAGS),tests/fuzz/gnttab/corpus))
$(BUILD)/fuzz/hv-gnttab: $(HV_MM_MODEL_HDRS) hypervisor/common/grant_table.c \
	hypervisor/include/pvisor/grant_table.h
