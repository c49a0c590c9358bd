# SPDX-License-Identifier: MIT
#
# dom0 tools: libpvctrl (the only way dom0 programs reach the hypervisor),
# pvisor-linkd (the link daemon) and pvctl (the xl-like CLI).

HOST_DIRS += dom0-tools
HOST_CFLAGS_dom0-tools := -D__XEN_TOOLS__ -Idom0-tools/include -Idom0-tools/libpvctrl \
	-Ihypervisor/include/public $(UV_CFLAGS)

PVCTRL_SRCS := $(wildcard dom0-tools/libpvctrl/*.c)
$(eval $(call host_lib,pvctrl,$(PVCTRL_SRCS)))

LINKD_SRCS := $(wildcard dom0-tools/linkd/*.c)
$(eval $(call host_prog,pvisor-linkd,linkd,$(LINKD_SRCS),$(UV_LIBS),))

PVCTL_SRCS := $(wildcard dom0-tools/pvctl/*.c)
$(eval $(call host_prog,pvctl,pvctl,$(PVCTL_SRCS),,$(BUILD)/lib/libpvctrl.a))

# The sanitizer build finds the same hypervisor image.
$(BUILD)/san/boot:
	$(Q)mkdir -p $(BUILD)/san
	$(Q)ln -sfn ../boot $@
ALL_TARGETS += $(BUILD)/san/boot

$(eval $(call test_prog,link_client,tests/integration/machine/link_client.c,\
	$(BUILD)/san/lib/libpvctrl.a -lpthread,$(HOST_CFLAGS_dom0-tools)))
