package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/qemu"
)

// systemdBoots is n boots of a systemd image: QEMU start to SSH, and the
// phases systemd-analyze gives for each boot (kernel: firmware to the
// root's systemd, so the initramfs and Ignition's stages too; userspace:
// from there to the default target). Each column is sorted on its own,
// so medians are per column.
type systemdBoots struct {
	toSSH, kernel, userspace []time.Duration
}

// measureSystemdBoots boots the image flags name n times, one machine at a
// time, in a flight of its own.
func measureSystemdBoots(ctx context.Context, flags qemu.Flags, n int, log *slog.Logger) (*systemdBoots, error) {
	if n == 0 {
		return nil, nil
	}
	fl, err := qemu.NewFlight(ctx, flags, platform.FlightOptions{Name: "bench-phases", Logger: log})
	if err != nil {
		return nil, err
	}
	defer fl.Destroy(ctx)
	b := &systemdBoots{}
	for range n {
		if err := b.boot(ctx, fl); err != nil {
			return nil, fmt.Errorf("%s boot: %w", flags.Image, err)
		}
	}
	for _, ds := range [][]time.Duration{b.toSSH, b.kernel, b.userspace} {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	}
	return b, nil
}

func (b *systemdBoots) boot(ctx context.Context, fl platform.Flight) error {
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "bench"})
	if err != nil {
		return err
	}
	defer c.Destroy(ctx)
	start := time.Now()
	m, err := c.NewMachine(ctx, nil)
	if err != nil {
		return err
	}
	b.toSSH = append(b.toSSH, time.Since(start))
	out, _, err := m.SSH(ctx, "systemctl is-system-running --wait >/dev/null; systemd-analyze")
	if err != nil {
		return fmt.Errorf("systemd-analyze: %w", err)
	}
	kernel, userspace, err := parseStartup(string(out))
	if err != nil {
		return err
	}
	b.kernel = append(b.kernel, kernel)
	b.userspace = append(b.userspace, userspace)
	return nil
}

var startupLine = regexp.MustCompile(`Startup finished in (.+?) \(kernel\) \+ (.+?) \(userspace\)`)

// parseStartup reads systemd-analyze's "Startup finished in 8.682s
// (kernel) + 14.332s (userspace) = 23.014s" (an initrd phase, where
// there is one, is left out: it is not on a line of its own).
func parseStartup(out string) (kernel, userspace time.Duration, err error) {
	m := startupLine.FindStringSubmatch(out)
	if m == nil {
		return 0, 0, fmt.Errorf("no startup times in systemd-analyze's %q", strings.TrimSpace(out))
	}
	if kernel, err = parseSpan(m[1]); err != nil {
		return 0, 0, err
	}
	if userspace, err = parseSpan(m[2]); err != nil {
		return 0, 0, err
	}
	return kernel, userspace, nil
}

// parseSpan reads a systemd time span as systemd-analyze prints it:
// "1min 2.345s", "934ms", "12.5s".
func parseSpan(s string) (time.Duration, error) {
	var total time.Duration
	for _, part := range strings.Fields(s) {
		d, err := time.ParseDuration(strings.Replace(part, "min", "m", 1))
		if err != nil {
			return 0, fmt.Errorf("time span %q: %w", s, err)
		}
		total += d
	}
	return total, nil
}

// phaseRows prints the medians of the two phases systemd-analyze names.
func (b *systemdBoots) phaseRows(w io.Writer, name string) {
	fmt.Fprintf(w, "  %s: kernel and initramfs (systemd-analyze)\t%s\t%s\t\t\n", name, sec(median(b.kernel)), spread(b.kernel))
	fmt.Fprintf(w, "  %s: userspace to the default target\t%s\t%s\t\t\n", name, sec(median(b.userspace)), spread(b.userspace))
}
