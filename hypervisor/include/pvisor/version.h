/* SPDX-License-Identifier: MIT */
/*
 * The version pvisor reports through xen_version.  Its guest ABI is that
 * of the Xen public headers it is built against (Debian's libxen-dev, Xen
 * 4.17), so it reports that Xen version with its own extra version.
 */
#ifndef PVISOR_VERSION_H
#define PVISOR_VERSION_H

#define PVISOR_XEN_MAJOR 4
#define PVISOR_XEN_MINOR 17
#define PVISOR_XEN_EXTRA ".0-pvisor"
#define PVISOR_VERSION_STRING "0.1"

#endif /* PVISOR_VERSION_H */
