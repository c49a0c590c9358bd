# SPDX-License-Identifier: MIT
#
# dom0 tools: libpvctrl (the only way dom0 programs reach the hypervisor),
# pvisor-linkd (the link daemon) and pvctl (the xl-like CLI).

HOST_DIRS += dom0-tools
HOST_CFLAGS_dom0-tools := -D__XEN_TOOLS__ -include stdint.h -Idom0-tools/include -Idom0-tools/libpvctrl \
	-Ixenstore-lite/include \
	-Ihypervisor/include/public $(UV_CFLAGS)

PVCTRL_SRCS := $(wildcard dom0-tools/libpvctrl/*.c)
$(eval $(call host_lib,pvctrl,$(PVCTRL_SRCS)))

LINKD_SRCS := $(wildcard dom0-tools/linkd/*.c)
$(eval $(call host_prog,pvisor-linkd,linkd,$(LINKD_SRCS),$(UV_LIBS),))


# The sanitizer build finds the same hypervisor image.
$(BUILD)/san/boot:
	$(Q)mkdir -p $(BUILD)/san
	$(Q)ln -sfn ../boot $@
ALL_TARGETS += $(BUILD)/san/boot

$(eval $(call test_prog,link_client,tests/integration/machine/link_client.c,\
	$(BUILD)/san/lib/libpvctrl.a -lpthread,$(HOST_CFLAGS_dom0-tools)))
$(eval $(call test_prog,dominfo,tests/integration/domains/dominfo.c,\
	$(BUILD)/san/lib/libpvctrl.a,$(HOST_CFLAGS_dom0-tools)))
$(eval $(call test_prog,evtchn_peer,tests/integration/events/evtchn_peer.c,\
	$(BUILD)/san/lib/libpvctrl.a,$(HOST_CFLAGS_dom0-tools)))
$(eval $(call test_prog,gnttab_peer,tests/integration/grants/gnttab_peer.c,\
	$(BUILD)/san/lib/libpvctrl.a,$(HOST_CFLAGS_dom0-tools)))

# ---------------------------------------------------------- libpvguest
# The domain builder core (dom0-tools/include/pvguest.h).  A program that
# links libpvguest.a also needs $(PVGUEST_LIBS).
PVGUEST_SRCS := $(wildcard dom0-tools/libpvguest/*.c)
PVGUEST_LIBS := -lelf -llzma -lz
$(eval $(call host_lib,pvguest,$(PVGUEST_SRCS)))

# Unit tests compile the library sources with them; pvguest-bzimage sets
# a 16 MiB decompression limit so that the limit itself can be tested.
PVGUEST_UT := tests/unit/pvguest
PVGUEST_TEST_CFLAGS := -D__XEN_TOOLS__ -Idom0-tools/include \
	-Idom0-tools/libpvguest -I$(PVGUEST_UT)
$(eval $(call unit_test,pvguest-image,$(PVGUEST_UT)/test_image.c \
	$(PVGUEST_SRCS),$(PVGUEST_LIBS),$(PVGUEST_TEST_CFLAGS)))
$(eval $(call unit_test,pvguest-bzimage,$(PVGUEST_UT)/test_bzimage.c \
	$(PVGUEST_SRCS),$(PVGUEST_LIBS), \
	$(PVGUEST_TEST_CFLAGS) -DPVGUEST__DECOMP_MAX=16777216u))
$(eval $(call unit_test,pvguest-layout,$(PVGUEST_UT)/test_layout.c \
	$(PVGUEST_SRCS),$(PVGUEST_LIBS),$(PVGUEST_TEST_CFLAGS)))
$(eval $(call unit_test,pvguest-build,$(PVGUEST_UT)/test_build.c \
	$(PVGUEST_SRCS),$(PVGUEST_LIBS),$(PVGUEST_TEST_CFLAGS)))
$(eval $(call fuzz_target,pvguest-image, \
	tests/fuzz/pvguest/fuzz_pvguest_image.c $(PVGUEST_SRCS), \
	$(PVGUEST_LIBS),$(PVGUEST_TEST_CFLAGS),tests/fuzz/pvguest/corpus))
# Writes the fuzz seed corpus: build/tests/bin/pvguest-make-corpus DIR
$(eval $(call test_prog,pvguest-make-corpus, \
	tests/fuzz/pvguest/make_corpus.c,$(PVGUEST_LIBS),$(PVGUEST_TEST_CFLAGS)))

# pvctl, the xl-like CLI (after libpvguest, whose libraries it needs).
PVCTL_SRCS := $(wildcard dom0-tools/pvctl/*.c)
$(eval $(call host_prog,pvctl,pvctl,$(PVCTL_SRCS),$(PVGUEST_LIBS) -lxlutil $(UV_LIBS),\
	$(BUILD)/lib/libpvguest.a $(BUILD)/lib/libxsl.a $(BUILD)/lib/libpvctrl.a))
