package qemu

import (
	"testing"

	"github.com/strata-os/strata/images"
)

func TestMachineCPUs(t *testing.T) {
	tests := []struct {
		name            string
		flag, img, host int
		want            int
	}{
		{"the flag wins", 3, 2, 2, 3},
		{"the image's choice", 0, 2, 8, 2},
		{"no more than the host has", 0, 4, 2, 2},
		{"an image without a choice", 0, 0, 8, 1},
		{"a host of one", 0, 2, 1, 1},
	}
	for _, tc := range tests {
		if got := machineCPUs(tc.flag, &images.Image{CPUs: tc.img}, tc.host); got != tc.want {
			t.Errorf("%s: machineCPUs(%d, image %d, host %d) = %d, want %d", tc.name, tc.flag, tc.img, tc.host, got, tc.want)
		}
	}
}
