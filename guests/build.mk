# SPDX-License-Identifier: MIT
#
# The guests: the reference PV guest ($(BUILD)/guests/hello.elf) and one
# test guest per hypercall family ($(BUILD)/guests/test-<name>.elf, from
# guests/tests/<name>.c), all linked against the guest library guests/lib/.
#
# Freestanding flags with the kernel code model instead of PIE: the guests
# are linked at VIRT_BASE 0xffffffff80000000 (top 2 GiB, see
# guests/lib/guest.lds).  The library is compiled twice: the "ref" flavour
# (GUEST_HYPERCALL_PAGE: hypercalls through the page the builder fills, ELF
# note GUEST_OS "pvisor-ref") for the reference guest and the "test" flavour
# (raw `syscall`, GUEST_OS "pvisor-test") for the test guests.

GUEST_OUT := $(BUILD)/guests
GUEST_CFLAGS := $(filter-out -fpie,$(FREE_CFLAGS)) -fno-pie -fno-pic \
	-mcmodel=kernel -D__XEN_INTERFACE_VERSION__=0x00040e00 -Iguests/lib
GUEST_ASFLAGS := $(filter-out -fpie,$(FREE_ASFLAGS)) -fno-pie -fno-pic \
	-mcmodel=kernel -D__XEN_INTERFACE_VERSION__=0x00040e00 -Iguests/lib
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack \
	--no-warn-rwx-segments --build-id=none -T guests/lib/guest.lds
GUEST_FLAVOUR_ref := -DGUEST_HYPERCALL_PAGE
GUEST_FLAVOUR_test :=

GUEST_LIB_C := $(wildcard guests/lib/*.c)
GUEST_LIB_S := $(wildcard guests/lib/*.S)
GUEST_HDRS := $(wildcard guests/lib/*.h) guests/lib/guest.lds

# $(call guest_lib_objs,FLAVOUR)
guest_lib_objs = $(patsubst guests/lib/%.c,$(GUEST_OUT)/lib-$(1)/%.o,$(GUEST_LIB_C)) \
	$(patsubst guests/lib/%.S,$(GUEST_OUT)/lib-$(1)/%.o,$(GUEST_LIB_S))

define guest_flavour_rules
$(GUEST_OUT)/lib-$(1)/%.o: guests/lib/%.c $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  CC [g]  $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(FREECC) $(GUEST_CFLAGS) $(GUEST_FLAVOUR_$(1)) -c -o $$@ $$<
$(GUEST_OUT)/lib-$(1)/%.o: guests/lib/%.S $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  AS [g]  $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(FREECC) $(GUEST_ASFLAGS) $(GUEST_FLAVOUR_$(1)) -c -o $$@ $$<
endef
$(eval $(call guest_flavour_rules,ref))
$(eval $(call guest_flavour_rules,test))

# The reference guest.
GUEST_HELLO_C := $(wildcard guests/hello/*.c)
GUEST_HELLO_OBJS := $(patsubst guests/hello/%.c,$(GUEST_OUT)/hello/%.o,$(GUEST_HELLO_C))
$(GUEST_OUT)/hello/%.o: guests/hello/%.c $(GUEST_HDRS) $(wildcard guests/hello/*.h) | $(BUILD)/include/xen
	@echo "  CC [g]  $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(GUEST_CFLAGS) $(GUEST_FLAVOUR_ref) -Iguests/hello -c -o $@ $<
$(GUEST_OUT)/hello.elf: $(GUEST_HELLO_OBJS) $(call guest_lib_objs,ref)
	@echo "  LD      $@"
	$(Q)$(FREELD) $(GUEST_LDFLAGS) -o $@ $^
ALL_TARGETS += $(GUEST_OUT)/hello.elf

# The workload guest (spinning or idle domains for the scheduler tests and
# the benchmarks), in the test flavour.
$(GUEST_OUT)/workload/%.o: guests/workload/%.c $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  CC [g]  $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(GUEST_CFLAGS) $(GUEST_FLAVOUR_test) -c -o $@ $<
$(GUEST_OUT)/workload.elf: $(GUEST_OUT)/workload/workload.o $(call guest_lib_objs,test)
	@echo "  LD      $@"
	$(Q)$(FREELD) $(GUEST_LDFLAGS) -o $@ $^
ALL_TARGETS += $(GUEST_OUT)/workload.elf

# The test guests: guests/tests/<name>.c -> $(GUEST_OUT)/test-<name>.elf.
GUEST_TEST_C := $(wildcard guests/tests/*.c)
GUEST_TEST_NAMES := $(patsubst guests/tests/%.c,%,$(GUEST_TEST_C))
$(GUEST_OUT)/tests/%.o: guests/tests/%.c $(GUEST_HDRS) $(wildcard guests/tests/*.h) | $(BUILD)/include/xen
	@echo "  CC [g]  $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(GUEST_CFLAGS) $(GUEST_FLAVOUR_test) -Iguests/tests -c -o $@ $<
$(GUEST_OUT)/test-%.elf: $(GUEST_OUT)/tests/%.o $(call guest_lib_objs,test)
	@echo "  LD      $@"
	$(Q)$(FREELD) $(GUEST_LDFLAGS) -o $@ $^
ALL_TARGETS += $(patsubst %,$(GUEST_OUT)/test-%.elf,$(GUEST_TEST_NAMES))

# Unit tests of the guest library's pure parts, compiled for the host.
GUEST_UT := tests/unit/guests
GUEST_UT_CFLAGS := -Iguests/lib -D__XEN_INTERFACE_VERSION__=0x00040e00 \
	-Dvsnprintf=guest_vsnprintf -Dsnprintf=guest_snprintf
$(eval $(call unit_test,guest_printf,$(GUEST_UT)/test_printf.c \
	guests/lib/printf.c,,$(GUEST_UT_CFLAGS)))
$(eval $(call unit_test,guest_clock,$(GUEST_UT)/test_clock.c \
	guests/lib/clock.c,,$(GUEST_UT_CFLAGS)))
$(eval $(call unit_test,guest_net,$(GUEST_UT)/test_net.c \
	guests/lib/net.c guests/lib/printf.c,,$(GUEST_UT_CFLAGS)))
$(BUILD)/tests/unit/guest_net: guests/lib/net.h guests/lib/netfront.h
$(eval $(call unit_test,guest_event_2l,$(GUEST_UT)/test_event_2l.c \
	guests/lib/event_2l.c,,$(GUEST_UT_CFLAGS)))
$(eval $(call unit_test,guest_elf,$(GUEST_UT)/test_guest_elf.c,,$(GUEST_UT_CFLAGS) \
	-DGUEST_OUT=\"$(GUEST_OUT)\"))

# Keep the objects of the pattern chains (make would delete them).
.SECONDARY: $(call guest_lib_objs,ref) $(call guest_lib_objs,test) \
	$(patsubst %,$(GUEST_OUT)/tests/%.o,$(GUEST_TEST_NAMES))

# ---------------------------------------------------------------- pvemu
# The same guests linked at 0x10000000 with the small code model, for the
# host-side PV emulator tests/unit/guests/pvemu.c, which runs them as an
# ordinary process: hypercalls trapped with seccomp (SIGSYS), exceptions
# taken as signals and bounced back Xen's way.
GUEST_EMU_BASE := 0x10000000
GUEST_EMU_OUT := $(GUEST_OUT)/emu
GUEST_EMU_CFLAGS := $(filter-out -mcmodel=kernel,$(GUEST_CFLAGS)) \
	-mcmodel=small -DGUEST_VIRT_BASE=$(GUEST_EMU_BASE)
GUEST_EMU_ASFLAGS := $(filter-out -mcmodel=kernel,$(GUEST_ASFLAGS)) \
	-mcmodel=small -DGUEST_VIRT_BASE=$(GUEST_EMU_BASE)
GUEST_EMU_LDFLAGS := $(filter-out -T guests/lib/guest.lds,$(GUEST_LDFLAGS)) \
	-T $(GUEST_EMU_OUT)/guest.lds
$(GUEST_EMU_OUT)/guest.lds: guests/lib/guest.lds
	$(Q)mkdir -p $(@D)
	$(Q)sed 's/^VIRT_BASE = .*/VIRT_BASE = $(GUEST_EMU_BASE);/' $< > $@
guest_emu_lib_objs = $(patsubst guests/lib/%.c,$(GUEST_EMU_OUT)/lib-$(1)/%.o,$(GUEST_LIB_C)) \
	$(patsubst guests/lib/%.S,$(GUEST_EMU_OUT)/lib-$(1)/%.o,$(GUEST_LIB_S))

define guest_emu_flavour_rules
$(GUEST_EMU_OUT)/lib-$(1)/%.o: guests/lib/%.c $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  CC [ge] $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(FREECC) $(GUEST_EMU_CFLAGS) $(GUEST_FLAVOUR_$(1)) -c -o $$@ $$<
$(GUEST_EMU_OUT)/lib-$(1)/%.o: guests/lib/%.S $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  AS [ge] $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(FREECC) $(GUEST_EMU_ASFLAGS) $(GUEST_FLAVOUR_$(1)) -c -o $$@ $$<
endef
$(eval $(call guest_emu_flavour_rules,ref))
$(eval $(call guest_emu_flavour_rules,test))

$(GUEST_EMU_OUT)/hello/%.o: guests/hello/%.c $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  CC [ge] $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(GUEST_EMU_CFLAGS) $(GUEST_FLAVOUR_ref) -Iguests/hello -c -o $@ $<
$(GUEST_EMU_OUT)/hello.elf: $(patsubst guests/hello/%.c,$(GUEST_EMU_OUT)/hello/%.o,$(GUEST_HELLO_C)) \
		$(call guest_emu_lib_objs,ref) $(GUEST_EMU_OUT)/guest.lds
	@echo "  LD      $@"
	$(Q)$(FREELD) $(GUEST_EMU_LDFLAGS) -o $@ $(filter %.o,$^)
$(GUEST_EMU_OUT)/tests/%.o: guests/tests/%.c $(GUEST_HDRS) $(wildcard guests/tests/*.h) | $(BUILD)/include/xen
	@echo "  CC [ge] $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(GUEST_EMU_CFLAGS) $(GUEST_FLAVOUR_test) -Iguests/tests -c -o $@ $<
$(GUEST_EMU_OUT)/test-%.elf: $(GUEST_EMU_OUT)/tests/%.o $(call guest_emu_lib_objs,test) \
		$(GUEST_EMU_OUT)/guest.lds
	@echo "  LD      $@"
	$(Q)$(FREELD) $(GUEST_EMU_LDFLAGS) -o $@ $(filter %.o,$^)
.SECONDARY: $(call guest_emu_lib_objs,ref) $(call guest_emu_lib_objs,test) \
	$(patsubst %,$(GUEST_EMU_OUT)/tests/%.o,$(GUEST_TEST_NAMES))

# Guests pvemu runs, and the emulator itself: built without sanitizers
# (it runs foreign code in its own address space and owns SIGSEGV).
GUEST_EMU_RUN := hello traps callbacks timer sched vcpu multicall version \
	ridiculous-traps ridiculous-callbacks ridiculous-version ridiculous-sched \
	ridiculous-vcpu ridiculous-multicall ridiculous-vm-assist ridiculous-platform \
	ridiculous-console ridiculous-memory ridiculous-physdev ridiculous-privop \
	physdev privop \
	console vm-assist platform ridiculous-hypercall ridiculous-timer crash
GUEST_EMU_ELFS := $(GUEST_EMU_OUT)/hello.elf \
	$(patsubst %,$(GUEST_EMU_OUT)/test-%.elf,$(filter-out hello,$(GUEST_EMU_RUN)))
$(BUILD)/tests/unit/guest_pvemu: $(GUEST_UT)/pvemu.c $(GUEST_EMU_ELFS) | $(BUILD)/include/xen
	@echo "  TEST    $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) -Iguests/lib -DGUEST_EMU_OUT=\"$(GUEST_EMU_OUT)\" \
		-DGUEST_EMU_BASE=$(GUEST_EMU_BASE) -D__XEN_INTERFACE_VERSION__=0x00040e00 -o $@ $(GUEST_UT)/pvemu.c $(CMOCKA_LIBS)
UNIT_TESTS += $(BUILD)/tests/unit/guest_pvemu

# Guests that need a peer (another guest or a dom0 program): guests/peers/
# <name>.c -> $(GUEST_OUT)/peer-<name>.elf, run by tests/integration/events/.
GUEST_PEER_C := $(wildcard guests/peers/*.c)
GUEST_PEER_NAMES := $(patsubst guests/peers/%.c,%,$(GUEST_PEER_C))
$(GUEST_OUT)/peers/%.o: guests/peers/%.c $(GUEST_HDRS) | $(BUILD)/include/xen
	@echo "  CC [g]  $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(FREECC) $(GUEST_CFLAGS) $(GUEST_FLAVOUR_test) -c -o $@ $<
$(GUEST_OUT)/peer-%.elf: $(GUEST_OUT)/peers/%.o $(call guest_lib_objs,test)
	@echo "  LD      $@"
	$(Q)$(FREELD) $(GUEST_LDFLAGS) -o $@ $^
ALL_TARGETS += $(patsubst %,$(GUEST_OUT)/peer-%.elf,$(GUEST_PEER_NAMES))
