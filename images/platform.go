package images

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// ignitionPlatforms maps the platform names strata's providers use to the
// platform IDs Ignition knows them by (its providers read each cloud's own
// metadata source). Ignition's own IDs are accepted as well.
var ignitionPlatforms = map[string]string{
	"qemu":      "qemu",
	"aws":       "aws",
	"gce":       "gcp",
	"azure":     "azure",
	"do":        "digitalocean",
	"openstack": "openstack",
	"esx":       "vmware",
	"packet":    "packet",
	"metal":     "metal",
}

// IgnitionPlatformIDs lists the platforms ForPlatform takes: strata's
// names and Ignition's IDs, sorted.
func IgnitionPlatformIDs() []string {
	seen := map[string]bool{}
	for name, id := range ignitionPlatforms {
		seen[name], seen[id] = true, true
	}
	var ids []string
	for id := range seen {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

var platformParam = regexp.MustCompile(`(^|\s)ignition\.platform\.id=(\S*)`)

// IgnitionPlatform is the ignition.platform.id on the image's kernel
// command line: where Ignition reads the machine's config from. "" for
// images Ignition does not configure.
func (img *Image) IgnitionPlatform() string {
	if m := platformParam.FindStringSubmatch(img.Cmdline); m != nil {
		return m[2]
	}
	return ""
}

// ForPlatform returns a copy of an Ignition image whose kernel command
// line names platform (a strata platform name or an Ignition ID), so that
// a disk written from it is configured from that cloud's metadata on
// first boot, as Fedora CoreOS and Flatcar ship one disk per cloud.
func ForPlatform(img *Image, platform string) (*Image, error) {
	id := ignitionPlatforms[platform]
	if id == "" {
		for _, known := range ignitionPlatforms {
			if known == platform {
				id = known
			}
		}
	}
	if id == "" {
		return nil, fmt.Errorf("platform %q: want one of %s", platform, strings.Join(IgnitionPlatformIDs(), ", "))
	}
	if img.IgnitionPlatform() == "" {
		return nil, fmt.Errorf("image %s is not configured by Ignition (no ignition.platform.id on its command line): only an Ignition image is made for a platform", img.Name)
	}
	out := *img
	out.Cmdline = setKernelParam(img.Cmdline, "ignition.platform.id", id)
	if id != "qemu" {
		out.Cmdline = withoutKernelParams(out.Cmdline, QEMUIRQParams)
	}
	return &out, nil
}

// CmdlineForCPUs is cmdline as a machine with cpus CPUs boots it:
// acpi=noirq, which saves a single-CPU machine a second of ACPI interrupt
// routing under emulation, also keeps the kernel off the local APIC and
// so from starting any CPU but the first; pci=nomsi goes with it.
func CmdlineForCPUs(cmdline string, cpus int) string {
	if cpus > 1 {
		return withoutKernelParams(cmdline, QEMUIRQParams)
	}
	return cmdline
}

// withoutKernelParams removes every occurrence of each of params (whole
// words, separated by spaces).
func withoutKernelParams(cmdline, params string) string {
	drop := strings.Fields(params)
	var kept []string
	for _, p := range strings.Fields(cmdline) {
		if !slices.Contains(drop, p) {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}
