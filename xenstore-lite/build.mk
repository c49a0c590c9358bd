# SPDX-License-Identifier: MIT
#
# xenstore-lite: the xenstore daemon (build/bin/xenstore-lite), its client
# library libxsl (build/lib/libxsl.a, header xenstore-lite/include/xsl.h),
# unit tests, the fuzz target, the load test and the benchmark.

XSL_DIR := xenstore-lite
HOST_DIRS += xenstore-lite tests/unit/xenstore tests/integration/xenstore \
	bench/xenstore
HOST_CFLAGS_xenstore-lite := $(UV_CFLAGS) -I$(XSL_DIR) -I$(XSL_DIR)/include \
	-Ihypervisor/include/public \
	-Idom0-tools/include
HOST_CFLAGS_tests/integration/xenstore := $(UV_CFLAGS) -I$(XSL_DIR) \
	-I$(XSL_DIR)/include
HOST_CFLAGS_bench/xenstore := $(UV_CFLAGS) -I$(XSL_DIR) -I$(XSL_DIR)/include

# The engine: no libuv, shared by the daemon, the tests and the fuzzer.
XSD_ENGINE := $(addprefix $(XSL_DIR)/,xs_tree.c xs_conn.c xs_ops.c \
	xs_watch.c xs_txn.c xs_domain.c xs_control.c xs_ring.c)
XSD_DAEMON := $(XSD_ENGINE) $(XSL_DIR)/xs_ring_file.c $(XSL_DIR)/xs_daemon.c \
	$(XSL_DIR)/xs_ring_pvisor.c $(XSL_DIR)/xs_main.c
XSL_LIB := $(addprefix $(XSL_DIR)/,xsl_wire.c xsl_sync.c xsl_async.c)

$(eval $(call host_prog,xenstore-lite,xsd,$(XSD_DAEMON),$(UV_LIBS),$(BUILD)/lib/libpvctrl.a))
$(eval $(call host_lib,xsl,$(XSL_LIB)))

# ---------------------------------------------------------------- tests
# The top Makefile includes tests/build.mk after this fragment; its macros
# are needed now (it only defines macros, so a second include is harmless).
ifndef unit_test
include tests/build.mk
endif
XS_UNIT_CFLAGS := -I$(XSL_DIR) -I$(XSL_DIR)/include -Itests/unit/xenstore
$(eval $(call unit_test,xenstore-tree,tests/unit/xenstore/test_xs_tree.c \
	$(XSD_ENGINE),,$(XS_UNIT_CFLAGS)))
$(eval $(call unit_test,xenstore-perms-watch, \
	tests/unit/xenstore/test_xs_perms_watch.c $(XSD_ENGINE),, \
	$(XS_UNIT_CFLAGS)))
$(eval $(call unit_test,xenstore-txn-quota, \
	tests/unit/xenstore/test_xs_txn_quota.c $(XSD_ENGINE),, \
	$(XS_UNIT_CFLAGS)))
$(eval $(call unit_test,xenstore-ring,tests/unit/xenstore/test_xs_ring.c \
	$(XSD_ENGINE),,$(XS_UNIT_CFLAGS)))
$(eval $(call unit_test,xenstore-async-client, \
	tests/unit/xenstore/test_xsl_async.c $(XSL_LIB),$(UV_LIBS), \
	$(XS_UNIT_CFLAGS) $(UV_CFLAGS)))
$(eval $(call fuzz_target,xenstore-engine, \
	tests/fuzz/xenstore/fuzz_xs_engine.c $(XSD_ENGINE),, \
	$(XS_UNIT_CFLAGS),tests/fuzz/xenstore/corpus))

# Test and load clients, sanitizer builds linked with libxsl.
XS_TEST_BIN := $(BUILD)/tests/xenstore
$(XS_TEST_BIN)/%: tests/integration/xenstore/%.c $(BUILD)/san/lib/libxsl.a \
		| $(BUILD)/include/xen
	@echo "  CC [san] $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(SAN_FLAGS) $(HOST_CFLAGS_xenstore-lite) \
		-o $@ $< $(BUILD)/san/lib/libxsl.a $(UV_LIBS)
ALL_TARGETS += $(XS_TEST_BIN)/xs_robust $(XS_TEST_BIN)/xs_load \
	$(XS_TEST_BIN)/xs_guest

# ---------------------------------------------------------------- bench
$(BUILD)/bench/xenstore-bench: bench/xenstore/xs_bench.c $(XSD_ENGINE) \
		$(BUILD)/lib/libxsl.a | $(BUILD)/include/xen
	@echo "  BENCH   $@"
	$(Q)mkdir -p $(@D)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_CFLAGS_xenstore-lite) -o $@ \
		bench/xenstore/xs_bench.c $(XSD_ENGINE) $(BUILD)/lib/libxsl.a \
		$(UV_LIBS) -lpthread
BENCHMARKS += $(BUILD)/bench/xenstore-bench

# The helpers above list sources only; rebuild on header changes too.
XS_HEADERS := $(XSL_DIR)/xs_core.h $(XSL_DIR)/include/xsl.h \
	tests/unit/xenstore/xs_test.h
$(addprefix $(BUILD)/tests/unit/xenstore-,tree perms-watch txn-quota ring) \
	$(BUILD)/fuzz/xenstore-engine $(BUILD)/bench/xenstore-bench \
	$(addprefix $(XS_TEST_BIN)/,xs_robust xs_load xs_guest): $(XS_HEADERS)
