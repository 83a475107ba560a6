/* The PCI bus as a host fact, shared by gpu.pci and gpu.cuda (WLD_INV_PCI). */
#ifndef WLD_PCI_H
#define WLD_PCI_H

#include <cjson/cJSON.h>

#include "wld/host.h"

/* Into facts: pci_bus (whether /sys/bus/pci/devices exists), then either error and entry
 * (a sysfs entry libpci would stop on, or libpci's own complaint) or adapters: the
 * display and 3D controllers by address, each {address, vendor_id, device_id, class,
 * vendor, device, driver|null}. With a layer over the host (the recorder), the files
 * libpci reads are shown to it. */
void wld_pci_gather(const struct wld_host *h, cJSON *facts);

#endif
