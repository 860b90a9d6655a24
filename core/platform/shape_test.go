package platform

import (
	"slices"
	"strings"
	"testing"
)

func TestDiskSizeBytes(t *testing.T) {
	for in, want := range map[string]int64{"512": 512, "1K": 1024, "20G": 20 << 30, "3T": 3 << 40, "4M": 4 << 20} {
		if got, err := DiskSizeBytes(in); err != nil || got != want {
			t.Errorf("DiskSizeBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "1.5G", "20GB", "-1G", "99999999999999T"} {
		if _, err := DiskSizeBytes(bad); err == nil {
			t.Errorf("DiskSizeBytes(%q) took it", bad)
		}
	}
}

func TestMachineShape(t *testing.T) {
	if asked := (MachineShape{}).Asked(); len(asked) != 0 {
		t.Errorf("the zero shape asks %v", asked)
	}
	s := MachineShape{MinMemoryMiB: 4096, MinDiskGiB: 15, RootDisk: "20G", AdditionalNICs: 2, KernelArgs: "enforcing=0", FirstbootKernelArgs: "ip=dhcp"}
	if got := s.Asked(); !slices.Equal(got, []string{"minMemory", "minDisk", "primaryDisk", "additionalNics", "appendKernelArgs", "appendFirstbootKernelArgs"}) {
		t.Errorf("Asked = %v", got)
	}
	if err := s.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	for _, tc := range []struct {
		s    MachineShape
		want string
	}{
		{MachineShape{MinMemoryMiB: -1}, "minMemory -1"},
		{MachineShape{MinDiskGiB: -2}, "minDisk -2"},
		{MachineShape{AdditionalNICs: 9}, "additionalNics 9: want 0 to 8"},
		{MachineShape{RootDisk: "20GB"}, `primaryDisk: disk size "20GB"`},
		{MachineShape{KernelArgs: "a\nb"}, "appendKernelArgs"},
	} {
		if err := tc.s.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate(%+v) = %v, want %q", tc.s, err, tc.want)
		}
	}
}
