package qemu

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/platform"
)

// A bad --qemu-debian-mirror is named before anything is fetched or built.
func TestDebianMirrorFlag(t *testing.T) {
	f := Flags{Image: "baseline", Mirrors: []string{"http://ok.example/debian", "ftp://old.example/debian"}}
	_, err := resolveImage(context.Background(), f, platform.FlightOptions{})
	if err == nil || !strings.Contains(err.Error(), `--qemu-debian-mirror: mirror "ftp://old.example/debian" is not an http://`) {
		t.Errorf("err = %v", err)
	}
}
