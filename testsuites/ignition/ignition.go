// Package ignition tests what Ignition does on a machine's first boot:
// files, directories and links with their modes and owners, systemd units
// (enabled, drop-ins, masked), users and groups, and remote resources
// checked by hash. The tests hold only to Ignition's specification, so they
// run on strata's ignition image and on Fedora CoreOS and Flatcar alike.
package ignition

// distros are the images Ignition configures.
var distros = []string{"strata-ignition", "fcos", "flatcar"}
