# SPDX-License-Identifier: MIT
#
# Split drivers: frontends (in guests) and backends (dom0 daemons), pair by
# pair.  drivers/console/back: pvisor-consoled.

HOST_DIRS += drivers
HOST_CFLAGS_drivers := -D__XEN_TOOLS__ -include stdint.h \
	-Idom0-tools/include -Ixenstore-lite/include \
	-Ihypervisor/include/public $(UV_CFLAGS)

CONSOLED_SRCS := $(wildcard drivers/console/back/*.c)
$(eval $(call host_prog,pvisor-consoled,consoled,$(CONSOLED_SRCS),$(UV_LIBS),\
	$(BUILD)/lib/libxsl.a $(BUILD)/lib/libpvctrl.a))
