/* SPDX-License-Identifier: MIT */
/*
 * The xenbus state machine, shared with the dom0 backend skeleton: the
 * very same source (drivers/common/xenbus_sm.c), so that both ends of a
 * split driver step through the handshake alike.
 */
#include "../../drivers/common/xenbus_sm.c"
