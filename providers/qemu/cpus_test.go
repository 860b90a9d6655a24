package qemu

import (
	"testing"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
)

func TestMachineCPUs(t *testing.T) {
	tests := []struct {
		name            string
		flag, img, host int
		accel           string
		atOnce          int
		want            int
	}{
		{"the flag wins", 3, 2, 2, "tcg", 1, 3},
		{"the flag wins over the tests at once", 2, 2, 2, "tcg", 2, 2},
		{"the image's choice", 0, 2, 8, "tcg", 1, 2},
		{"no more than the host has", 0, 4, 2, "tcg", 1, 2},
		{"an image without a choice", 0, 0, 8, "tcg", 1, 1},
		{"a host of one", 0, 2, 1, "tcg", 1, 1},
		{"two at once on two cores", 0, 2, 2, "tcg,thread=multi", 2, 1},
		{"two at once on eight cores", 0, 2, 8, "tcg", 2, 2},
		{"three at once on eight cores", 0, 4, 8, "tcg", 3, 2},
		{"more at once than cores", 0, 2, 2, "tcg", 5, 1},
		{"KVM keeps the image's", 0, 2, 2, "kvm", 2, 2},
	}
	for _, tc := range tests {
		if got := machineCPUs(tc.flag, &images.Image{CPUs: tc.img}, tc.host, tc.accel, tc.atOnce); got != tc.want {
			t.Errorf("%s: machineCPUs(%d, image %d, host %d, %s, %d at once) = %d, want %d", tc.name, tc.flag, tc.img, tc.host, tc.accel, tc.atOnce, got, tc.want)
		}
	}
}

// The runner's count of machines that may boot at once is cut to
// --qemu-max-booting before the CPUs are shared out.
func TestPlanConcurrency(t *testing.T) {
	tests := []struct {
		name                   string
		maxBooting, atOnce     int
		cpusFlag, host, before int
		want                   int
	}{
		{"one machine at a time keeps the image's two", 2, 1, 0, 2, 2, 2},
		{"two tests at once on two cores", 2, 2, 0, 2, 2, 1},
		{"three clusters of two, but only two boot at once, on four cores", 2, 6, 0, 4, 2, 2},
		{"three clusters of two, four booting, on four cores", 4, 6, 0, 4, 2, 1},
		{"--qemu-cpus stands", 2, 6, 2, 2, 2, 2},
	}
	for _, tc := range tests {
		base, err := platform.NewBaseFlight("qemu", platform.FlightOptions{Name: "plan"})
		if err != nil {
			t.Fatal(err)
		}
		f := &flight{BaseFlight: base, flags: Flags{MaxBooting: tc.maxBooting, CPUs: tc.cpusFlag}, image: &images.Image{CPUs: 2},
			accel: "tcg", cpus: tc.before, hostCPUs: tc.host}
		f.PlanConcurrency(tc.atOnce)
		if f.cpus != tc.want {
			t.Errorf("%s: %d CPUs a machine, want %d", tc.name, f.cpus, tc.want)
		}
	}
}
