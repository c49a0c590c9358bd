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
	drivers/common/xenbus_back_xsl.c drivers/common/xb_daemon.c
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

# drivers/block/back: the block backend's core, unit-tested and fuzzed.
BLKBACK_CORE := drivers/block/back/blkback.c
$(eval $(call unit_test,drivers-blkback,tests/unit/drivers/test_blkback.c \
	$(BLKBACK_CORE),,-D__XEN_TOOLS__ -include stdint.h))
$(BUILD)/tests/unit/drivers-blkback: drivers/block/back/blkback.h
$(eval $(call fuzz_target,blkback-ring,tests/fuzz/blkback/fuzz_blkback_ring.c \
	$(BLKBACK_CORE),,-D__XEN_TOOLS__ -include stdint.h,tests/fuzz/blkback/corpus))
$(BUILD)/fuzz/blkback-ring: drivers/block/back/blkback.h

# drivers/net/back: the network backend's core and switch.
NETBACK_CORE := drivers/net/back/netback.c drivers/net/back/switch.c
$(eval $(call unit_test,drivers-netback,tests/unit/drivers/test_netback.c \
	$(NETBACK_CORE),,-D__XEN_TOOLS__ -include stdint.h))
$(BUILD)/tests/unit/drivers-netback: drivers/net/back/netback.h drivers/net/back/switch.h
$(eval $(call fuzz_target,netback-tx,tests/fuzz/netback/fuzz_netback_tx.c \
	$(NETBACK_CORE),,-D__XEN_TOOLS__ -include stdint.h,tests/fuzz/netback/corpus))
$(BUILD)/fuzz/netback-tx: drivers/net/back/netback.h

# pvisor-blkback: the block backend daemon (the core above, the skeleton).
BLKBACKD_SRCS := drivers/block/back/blkbackd.c $(BLKBACK_CORE)
$(eval $(call host_prog,pvisor-blkback,blkback,$(BLKBACKD_SRCS),$(UV_LIBS),\
	$(BUILD)/lib/libxbback.a $(BUILD)/lib/libxsl.a $(BUILD)/lib/libpvctrl.a))
# pvisor-netback: the network backend daemon on the skeleton.
NETBACKD_SRCS := drivers/net/back/netbackd.c $(NETBACK_CORE)
$(eval $(call host_prog,pvisor-netback,netback,$(NETBACKD_SRCS),$(UV_LIBS),\
	$(BUILD)/lib/libxbback.a $(BUILD)/lib/libxsl.a $(BUILD)/lib/libpvctrl.a))
