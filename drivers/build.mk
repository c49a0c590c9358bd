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

# drivers/common: the xenbus state machine and the backend skeleton every
# backend daemon links (libxbback), with their unit test (which also runs
# the guest's frontend handshake, guests/lib/xenbus_dev.c, on the host).
XBBACK_SRCS := drivers/common/xenbus_sm.c drivers/common/xenbus_back.c \
	drivers/common/xenbus_back_xsl.c
$(eval $(call host_lib,xbback,$(XBBACK_SRCS)))
$(eval $(call unit_test,xenbus,tests/unit/drivers/test_xenbus.c \
	drivers/common/xenbus_sm.c drivers/common/xenbus_back.c \
	guests/lib/xenbus_dev.c,,-Idrivers/common -Iguests/lib \
	-D__XEN_INTERFACE_VERSION__=0x00040e00))

# The console ring consumer: unit test and fuzz target.
$(eval $(call unit_test,console-ring,tests/unit/drivers/test_conring.c \
	drivers/console/back/conring.c,,-Idrivers/console/back))
$(eval $(call fuzz_target,console-ring,tests/fuzz/console/fuzz_conring.c \
	drivers/console/back/conring.c,, \
	-Idrivers/console/back,tests/fuzz/console/corpus))

# A test backend on the skeleton ("vtest", no ring) for
# tests/integration/drivers/xenbus.sh and guests/tests/xenbus-dev.c.
$(eval $(call test_prog,xbback-vtest,tests/integration/drivers/xbback_vtest.c,\
	$(BUILD)/san/lib/libxbback.a $(BUILD)/san/lib/libxsl.a $(UV_LIBS),\
	$(HOST_CFLAGS_drivers) -Idrivers/common))
