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
