# SPDX-License-Identifier: MIT
#
# pvisor top-level build.  Plain GNU make, non-recursive: each component
# contributes a `build.mk` fragment that is included below and adds its
# outputs to ALL_TARGETS, its unit tests to UNIT_TESTS and its integration
# tests to INTEGRATION_TESTS.  Everything built lands in $(BUILD)/.
#
# Two flag sets (as Solo5 has CFLAGS/HOSTCFLAGS):
#   FREE_CFLAGS  freestanding code: the hypervisor, guests, guest frontends
#   HOST_CFLAGS  hosted code: dom0 tools, daemons, backends, tests
# Hosted programs are built twice: $(BUILD)/bin (optimised, what users run)
# and $(BUILD)/san/bin (ASan + UBSan, what the tests run).

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:
SHELL := /bin/bash

BUILD   ?= build
V       ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

# ---------------------------------------------------------------- tools
CC        ?= gcc
HOSTCC    ?= gcc
FREECC    ?= gcc
FREELD    ?= ld
FUZZCC    ?= clang
PKG_CONFIG ?= pkg-config

GCC_INC := $(shell $(FREECC) -print-file-name=include)

# Debian packages `make deps` installs when missing.
DEB_PACKAGES := make gcc binutils clang pkg-config qemu-system-x86 \
	libxen-dev libuv1-dev libcmocka-dev libelf-dev liblzma-dev \
	zlib1g-dev xenstore-utils libclang-rt-14-dev python3 util-linux \
	procps

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Werror -Wno-unused-parameter

# Freestanding: no libc, no SSE, no red zone, position-independent code
# generation (-fpie) so the hypervisor can be linked in L4 slot 261 (outside
# the +-2 GiB kernel code model) while every reference stays RIP-relative.
FREE_CFLAGS := -std=gnu11 -O2 -g $(WARN) -ffreestanding -nostdinc \
	-isystem $(GCC_INC) -I$(BUILD)/include \
	-fpie -fno-stack-protector -fno-common -fno-strict-aliasing \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-avx \
	-fcf-protection=none -fno-jump-tables
FREE_ASFLAGS := -D__ASSEMBLY__ $(filter-out -std=gnu11,$(FREE_CFLAGS))

HOST_CFLAGS := -std=gnu11 -O2 -g $(WARN) -D_GNU_SOURCE -fno-strict-aliasing \
	-I$(BUILD)/include
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -O1
UV_CFLAGS := $(shell $(PKG_CONFIG) --cflags libuv 2>/dev/null)
UV_LIBS   := $(shell $(PKG_CONFIG) --libs libuv 2>/dev/null)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

# The Xen public headers are reached through $(BUILD)/include/xen so that
# freestanding code sees them without the rest of /usr/include.
XEN_INCLUDE := /usr/include/xen
$(BUILD)/include/xen:
	$(Q)mkdir -p $(@D)
	$(Q)test -d $(XEN_INCLUDE) || { echo "error: $(XEN_INCLUDE) missing; run 'make deps'" >&2; exit 1; }
	$(Q)ln -sfn $(XEN_INCLUDE) $@

# ---------------------------------------------------------------- helpers
# $(call host_prog,NAME,OBJDIR-TAG,SOURCES,EXTRA-LIBS,EXTRA-CFLAGS)
# builds $(BUILD)/bin/NAME and the sanitizer variant $(BUILD)/san/bin/NAME.
define host_prog
$(BUILD)/bin/$(1): $(patsubst %.c,$(BUILD)/obj/%.o,$(3)) $(5)
	@echo "  LD      $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(HOSTCC) -o $$@ $$(filter %.o %.a,$$^) $(4)
$(BUILD)/san/bin/$(1): $(patsubst %.c,$(BUILD)/san/obj/%.o,$(3)) $(patsubst $(BUILD)/%,$(BUILD)/san/%,$(5))
	@echo "  LD      $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(HOSTCC) $(SAN_FLAGS) -o $$@ $$(filter %.o %.a,$$^) $(4)
ALL_TARGETS += $(BUILD)/bin/$(1) $(BUILD)/san/bin/$(1)
endef

# $(call host_lib,NAME,SOURCES) builds $(BUILD)/lib/libNAME.a and its
# sanitizer variant.
define host_lib
$(BUILD)/lib/lib$(1).a: $(patsubst %.c,$(BUILD)/obj/%.o,$(2))
	@echo "  AR      $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/san/lib/lib$(1).a: $(patsubst %.c,$(BUILD)/san/obj/%.o,$(2))
	@echo "  AR      $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)rm -f $$@ && ar rcs $$@ $$^
ALL_TARGETS += $(BUILD)/lib/lib$(1).a $(BUILD)/san/lib/lib$(1).a
endef

# Generic hosted compile rules (per-directory flags come from
# HOST_CFLAGS_<dir> set in the fragments, matched by $(dir) prefix).
host_dir_cflags = $(foreach d,$(HOST_DIRS),$(if $(filter $(d)/%,$(1)),$(HOST_CFLAGS_$(d))))

$(BUILD)/obj/%.o: %.c | $(BUILD)/include/xen
	@echo "  CC      $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(call host_dir_cflags,$<) -MMD -MP -c -o $@ $<
$(BUILD)/san/obj/%.o: %.c | $(BUILD)/include/xen
	@echo "  CC [san] $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(call host_dir_cflags,$<) -MMD -MP -c -o $@ $<

ALL_TARGETS :=
UNIT_TESTS :=
INTEGRATION_TESTS :=
FUZZ_TARGETS :=
BENCHMARKS :=
HOST_DIRS :=

include tests/build.mk
include hypervisor/build.mk
include dom0-tools/build.mk
include xenstore-lite/build.mk
include drivers/build.mk
include guests/build.mk
include bench/build.mk

# ---------------------------------------------------------------- goals
.PHONY: all deps test demo bench fuzz clean format check-deps

all: $(ALL_TARGETS)

# Installs the Debian packages that are missing; does nothing (and needs no
# network or root) when everything is already present.
deps:
	$(Q)missing=; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${db:Status-Abbrev}' $$p 2>/dev/null | \
			grep -q '^ii' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "deps: installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
		export DEBIAN_FRONTEND=noninteractive; \
		$$sudo apt-get update -qq && \
		$$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_TESTS)
	$(Q)./tests/run $(TEST_ARGS)

demo: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)./dom0-tools/demo.sh

bench: deps
	$(Q)$(MAKE) --no-print-directory all $(BENCHMARKS)
	$(Q)./bench/run $(BENCH_ARGS)

fuzz: deps
	$(Q)$(MAKE) --no-print-directory $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
