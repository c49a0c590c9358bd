# SPDX-License-Identifier: MIT
#
# Test build helpers.  Components call these from their own build.mk:
#
# $(call unit_test,NAME,SOURCES,EXTRA-LIBS,EXTRA-CFLAGS)
#   A cmocka test compiled for the host with ASan and UBSan into
#   $(BUILD)/tests/unit/NAME.  SOURCES are compiled together in one step so
#   a test can pair real project sources with small host versions of the
#   internal headers (EXTRA-CFLAGS carries the -I for those).
#
# $(call fuzz_target,NAME,SOURCES,EXTRA-LIBS,EXTRA-CFLAGS,CORPUS-DIR)
#   A libFuzzer target (clang) in $(BUILD)/fuzz/NAME, and a smoke test in
#   $(BUILD)/tests/fuzz-smoke/NAME that replays CORPUS-DIR and then fuzzes
#   for a few seconds, so `make test` exercises every target.

define unit_test
$(BUILD)/tests/unit/$(1): $(2) | $(BUILD)/include/xen
	@echo "  TEST    $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(4) -o $$@ $(2) $(CMOCKA_LIBS) $(3)
UNIT_TESTS += $(BUILD)/tests/unit/$(1)
endef

FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -D_GNU_SOURCE -DFUZZING -I$(BUILD)/include

define fuzz_target
$(BUILD)/fuzz/$(1): $(2) | $(BUILD)/include/xen
	@echo "  FUZZ    $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(FUZZCC) $(FUZZ_FLAGS) $(4) -o $$@ $(2) $(3)
$(BUILD)/tests/fuzz-smoke/$(1): $(BUILD)/fuzz/$(1) tests/fuzz-smoke.sh
	$(Q)mkdir -p $$(@D)
	$(Q)printf '#!/bin/sh\nexec %s/tests/fuzz-smoke.sh %s/$(BUILD)/fuzz/$(1) %s/$(5)\n' \
		"$(CURDIR)" "$(CURDIR)" "$(CURDIR)" > $$@
	$(Q)chmod +x $$@
FUZZ_TARGETS += $(BUILD)/fuzz/$(1)
UNIT_TESTS += $(BUILD)/tests/fuzz-smoke/$(1)
endef

# $(call test_prog,NAME,SOURCES,EXTRA-LIBS,EXTRA-CFLAGS)
#   A helper program for integration tests, built with ASan and UBSan into
#   $(BUILD)/tests/bin/NAME.
define test_prog
$(BUILD)/tests/bin/$(1): $(2) $(filter %.a,$(3)) | $(BUILD)/include/xen
	@echo "  TESTBIN $$@"
	$(Q)mkdir -p $$(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(4) -o $$@ $(2) $(3)
ALL_TARGETS += $(BUILD)/tests/bin/$(1)
endef
