// Command bootbench measures, in one run on this machine, how fast strata
// boots machines: the raw kernel+init boot of the baseline image (the
// floor), the minimal image's boot-to-SSH through the qemu provider, a
// cluster of 3 against one (qemu) and of 10 against one (simulated EC2
// with latency on every call), and kola's wall time for ten one-machine
// tests at -j1 and -j2. It prints a
// table with medians and ratios. Run it with ./ci/bench.sh.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/providers/qemu"
)

func main() {
	runs := flag.Int("n", 5, "boots per boot measurement")
	debianRuns := flag.Int("debian-n", 3, "boots of the debian image (0 skips it)")
	ignitionRuns := flag.Int("ignition-n", 3, "boots of the ignition image (0 skips it)")
	ignition := flag.String("ignition", "bin/ignition", "ignition binary (the ignition image's; ci/build.sh writes it)")
	initrdBus := flag.String("initrd-bus", "bin/strata-initrd-bus", "strata-initrd-bus binary (the ignition image's initramfs; ci/build.sh writes it)")
	tests := flag.Int("tests", 10, "one-machine tests in the kola measurement")
	agent := flag.String("agent", "bin/strata-init", "static strata-init binary (the minimal image's init)")
	accel := flag.String("accel", "auto", "QEMU accelerator: auto, kvm or tcg")
	imagesOnly := flag.Bool("images-only", false, "measure the boot rows only (raw, minimal, debian, ignition), not clusters, GC or kola runs")
	before := flag.String("ignition-before", "", "an ignition image directory to boot beside the current one, for a before/after ratio (an earlier build from ~/.cache/strata/images)")
	flag.Parse()
	if err := bench(context.Background(), *runs, *debianRuns, *ignitionRuns, *tests, *agent, *ignition, *initrdBus, *accel, *before, *imagesOnly); err != nil {
		fmt.Fprintln(os.Stderr, "bootbench:", err)
		os.Exit(1)
	}
}

// clusterRuns is how many times each cluster row is measured;
// cloudLatency what every simulated EC2 call takes.
const (
	clusterRuns  = 3
	cloudLatency = 50 * time.Millisecond
	gcResources  = 10000
)

func bench(ctx context.Context, runs, debianRuns, ignitionRuns, tests int, agent, ignition, initrdBus, accel, before string, imagesOnly bool) error {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	base, err := images.Build(ctx, "baseline", images.Options{Logger: quiet})
	if err != nil {
		return err
	}
	// CPUs 0: each image boots with its own choice, as under kola.
	flags := qemu.Flags{Image: "minimal", Agent: agent, Memory: 512, Accel: accel, Binary: "qemu-system-x86_64", BootTimeout: 3 * time.Minute}
	fl, err := qemu.NewFlight(ctx, flags, platform.FlightOptions{Name: "bench", Logger: quiet})
	if err != nil {
		return err
	}
	defer fl.Destroy(ctx)
	acc := qemu.Accelerator(fl)

	raw, err := repeat(runs, func() (time.Duration, error) { return rawBoot(ctx, base, acc, "", rawArgs) })
	if err != nil {
		return fmt.Errorf("raw boot: %w", err)
	}
	// The minimal image boots with images.QEMUIRQParams (faster PCI interrupt set-up
	// under TCG); this row shows what that alone does to the raw boot.
	noirq, err := repeat(runs, func() (time.Duration, error) { return rawBoot(ctx, base, acc, images.QEMUIRQParams, rawArgs) })
	if err != nil {
		return fmt.Errorf("raw boot with %s: %w", images.QEMUIRQParams, err)
	}
	lean, err := repeat(runs, func() (time.Duration, error) { return rawBoot(ctx, base, acc, "", leanArgs) })
	if err != nil {
		return fmt.Errorf("lean raw boot: %w", err)
	}
	minimal, err := repeat(runs, func() (time.Duration, error) { return bootToSSH(ctx, fl) })
	if err != nil {
		return fmt.Errorf("minimal boot: %w", err)
	}
	dflags := flags
	dflags.Image = "debian"
	debian, err := measureSystemdBoots(ctx, dflags, debianRuns, quiet)
	if err != nil {
		return err
	}
	iflags := flags
	iflags.Image, iflags.Ignition, iflags.InitrdBus = "ignition", ignition, initrdBus
	ignitionBoots, err := measureSystemdBoots(ctx, iflags, ignitionRuns, quiet)
	if err != nil {
		return err
	}
	// The ignition image boots with two CPUs; this row shows one.
	oneFlags := iflags
	oneFlags.CPUs = 1
	ignitionOne, err := measureSystemdBoots(ctx, oneFlags, ignitionRuns, quiet)
	if err != nil {
		return err
	}
	var ignitionBefore *systemdBoots
	if before != "" {
		bflags := iflags
		bflags.Image = before
		if ignitionBefore, err = measureSystemdBoots(ctx, bflags, ignitionRuns, quiet); err != nil {
			return err
		}
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stdout, "accelerator: %s; %d boots per boot row (median, min..max)\n", acc, runs)
	fmt.Fprintln(w, "measurement\tmedian\trange\tratio\t")
	fmt.Fprintf(w, "raw kernel+init boot (-nographic, console)\t%s\t%s\t1.00\t\n", sec(median(raw)), spread(raw))
	fmt.Fprintf(w, "raw kernel+init boot (-nographic, %s)\t%s\t%s\t%.2f× raw\t\n", images.QEMUIRQParams, sec(median(noirq)), spread(noirq), ratio(median(noirq), median(raw)))
	fmt.Fprintf(w, "raw kernel+init boot (-nodefaults, no console)\t%s\t%s\t%.2f× raw\t\n", sec(median(lean)), spread(lean), ratio(median(lean), median(raw)))
	fmt.Fprintf(w, "minimal boot-to-SSH\t%s\t%s\t%.2f× raw, %.2f× lean raw\t\n", sec(median(minimal)), spread(minimal),
		ratio(median(minimal), median(raw)), ratio(median(minimal), median(lean)))
	if debian != nil {
		fmt.Fprintf(w, "debian boot-to-SSH (%d boots)\t%s\t%s\t%.2f× raw, %.2f× minimal\t\n", len(debian.toSSH), sec(median(debian.toSSH)), spread(debian.toSSH),
			ratio(median(debian.toSSH), median(raw)), ratio(median(debian.toSSH), median(minimal)))
		debian.phaseRows(w, "debian")
	} else {
		fmt.Fprintf(w, "debian boot-to-SSH\tskipped\t\t-debian-n 0\t\n")
	}
	if ignitionBoots != nil {
		fmt.Fprintf(w, "ignition first boot-to-SSH (%d boots)\t%s\t%s\t%.2f× raw (target ≤ 12s)\t\n", len(ignitionBoots.toSSH), sec(median(ignitionBoots.toSSH)), spread(ignitionBoots.toSSH),
			ratio(median(ignitionBoots.toSSH), median(raw)))
		ignitionBoots.phaseRows(w, "ignition")
		fmt.Fprintf(w, "ignition first boot-to-SSH, one CPU (--qemu-cpus 1)\t%s\t%s\t%.2f× raw, %.2f× two CPUs\t\n", sec(median(ignitionOne.toSSH)), spread(ignitionOne.toSSH),
			ratio(median(ignitionOne.toSSH), median(raw)), ratio(median(ignitionOne.toSSH), median(ignitionBoots.toSSH)))
		ignitionOne.phaseRows(w, "ignition one CPU")
	} else {
		fmt.Fprintf(w, "ignition first boot-to-SSH\tskipped\t\t-ignition-n 0\t\n")
	}
	if ignitionBefore != nil && ignitionBoots != nil {
		fmt.Fprintf(w, "ignition first boot-to-SSH, before (%s)\t%s\t%s\tnow %.2f× before\t\n", filepath.Base(before), sec(median(ignitionBefore.toSSH)), spread(ignitionBefore.toSSH),
			ratio(median(ignitionBoots.toSSH), median(ignitionBefore.toSSH)))
		ignitionBefore.phaseRows(w, "ignition before")
	}
	if imagesOnly {
		return w.Flush()
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return benchClusters(ctx, w, fl, flags, tests)
}

// benchClusters measures and prints the rows of clusters (qemu and
// simulated EC2), GC at scale and whole kola runs.
func benchClusters(ctx context.Context, w *tabwriter.Writer, fl platform.Flight, flags qemu.Flags, tests int) error {
	one, err := repeat(clusterRuns, func() (time.Duration, error) { return clusterReady(ctx, fl, 1) })
	if err != nil {
		return fmt.Errorf("qemu cluster of 1: %w", err)
	}
	three, err := repeat(clusterRuns, func() (time.Duration, error) { return clusterReady(ctx, fl, 3) })
	if err != nil {
		return fmt.Errorf("qemu cluster of 3: %w", err)
	}
	threeSeq, err := repeat(clusterRuns, func() (time.Duration, error) { return clusterOneByOne(ctx, fl, 3) })
	if err != nil {
		return fmt.Errorf("qemu cluster of 3 one by one: %w", err)
	}
	cloud, done, err := cloudFlight(ctx, cloudLatency)
	if err != nil {
		return fmt.Errorf("simulated EC2: %w", err)
	}
	defer done()
	cloud1, err := repeat(clusterRuns, func() (time.Duration, error) { return clusterReady(ctx, cloud, 1) })
	if err != nil {
		return fmt.Errorf("simulated EC2 cluster of 1: %w", err)
	}
	cloud10, err := repeat(clusterRuns, func() (time.Duration, error) { return clusterReady(ctx, cloud, 10) })
	if err != nil {
		return fmt.Errorf("simulated EC2 cluster of 10: %w", err)
	}
	cloud10Seq, err := repeat(1, func() (time.Duration, error) { return clusterOneByOne(ctx, cloud, 10) })
	if err != nil {
		return fmt.Errorf("simulated EC2 cluster of 10 one by one: %w", err)
	}
	gcTime, gcItems, err := gcAtScale(ctx, gcResources)
	if err != nil {
		return fmt.Errorf("gc of %d: %w", gcResources, err)
	}
	gceGCTime, gceGCItems, err := gceGCAtScale(ctx, gcResources)
	if err != nil {
		return fmt.Errorf("gce gc of %d: %w", gcResources, err)
	}
	j1, err := kolaWall(ctx, flags, tests, "1")
	if err != nil {
		return fmt.Errorf("kola -j1: %w", err)
	}
	j2, err := kolaWall(ctx, flags, tests, "2")
	if err != nil {
		return fmt.Errorf("kola -j2: %w", err)
	}

	fmt.Fprintf(w, "qemu cluster of 1 ready (%d runs)\t%s\t%s\t1.00\t\n", clusterRuns, sec(median(one)), spread(one))
	fmt.Fprintf(w, "qemu cluster of 3 ready (%d runs)\t%s\t%s\t%.2f× one (target ≤ 1.5)\t\n", clusterRuns, sec(median(three)), spread(three), ratio(median(three), median(one)))
	fmt.Fprintf(w, "qemu cluster of 3, one after another (before)\t%s\t%s\t%.2f× one\t\n", sec(median(threeSeq)), spread(threeSeq), ratio(median(threeSeq), median(one)))
	fmt.Fprintf(w, "simulated EC2 cluster of 1, %v a call\t%s\t%s\t1.00\t\n", cloudLatency, sec(median(cloud1)), spread(cloud1))
	fmt.Fprintf(w, "simulated EC2 cluster of 10, %v a call\t%s\t%s\t%.2f× one (target ≤ 3)\t\n", cloudLatency, sec(median(cloud10)), spread(cloud10), ratio(median(cloud10), median(cloud1)))
	fmt.Fprintf(w, "simulated EC2 cluster of 10, one after another (before, 1 run)\t%s\t\t%.2f× one\t\n", sec(median(cloud10Seq)), ratio(median(cloud10Seq), median(cloud1)))
	fmt.Fprintf(w, "simulated EC2 gc of %d resources (%d deleted)\t%s\t\t%.2f× target 10s\t\n", gcResources, gcItems, sec(gcTime), gcTime.Seconds()/10)
	fmt.Fprintf(w, "simulated GCE gc of %d resources (%d deleted)\t%s\t\t%.2f× target 10s\t\n", gcResources, gceGCItems, sec(gceGCTime), gceGCTime.Seconds()/10)
	fmt.Fprintf(w, "kola %d one-machine tests -j1\t%s\t\t1.00\t\n", tests, sec(j1))
	fmt.Fprintf(w, "kola %d one-machine tests -j2\t%s\t\t%.2f× faster than -j1\t\n", tests, sec(j2), ratio(j1, j2))
	return w.Flush()
}

// The raw boot as the project's notes measure it (QEMU's default devices,
// serial console on stdio), and a lean one with no devices at all.
var (
	rawArgs  = []string{"-nographic"}
	leanArgs = []string{"-nodefaults", "-no-user-config", "-display", "none", "-serial", "null"}
)

// rawBoot times QEMU from start to exit: the baseline init powers off.
func rawBoot(ctx context.Context, img *images.Image, accel, cmdline string, extra []string) (time.Duration, error) {
	start := time.Now()
	args := append([]string{"-accel", accel, "-m", "512", "-no-reboot", "-kernel", img.Kernel, "-initrd", img.Initrd,
		"-append", strings.TrimSpace(img.Cmdline + " " + cmdline)}, extra...)
	cmd := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
	cmd.Stdin = nil
	if out, err := cmd.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("%v: %s", err, out)
	}
	return time.Since(start), nil
}

// bootToSSH times the provider's NewMachine: QEMU start to an SSH session.
func bootToSSH(ctx context.Context, fl platform.Flight) (time.Duration, error) {
	c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "bench"})
	if err != nil {
		return 0, err
	}
	defer c.Destroy(ctx)
	start := time.Now()
	if _, err := c.NewMachine(ctx, nil); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// kolaWall runs n one-machine tests through the runner, as kola run does.
func kolaWall(ctx context.Context, flags qemu.Flags, n int, parallel string) (time.Duration, error) {
	reg := register.NewRegistry()
	for i := 0; i < n; i++ {
		if err := reg.Register(register.Test{Name: fmt.Sprintf("bench.t%02d", i), ClusterSize: 1, Run: func(c cluster.TestCluster) {
			c.MustSSH(c.Machines()[0], "true")
		}}); err != nil {
			return 0, err
		}
	}
	out, err := os.MkdirTemp("", "bootbench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(out)
	provider := platform.Provider{Name: "qemu", NewFlight: func(ctx context.Context, o platform.FlightOptions) (platform.Flight, error) {
		return qemu.NewFlight(ctx, flags, o)
	}}
	start := time.Now()
	rep, err := runner.Run(ctx, runner.Options{
		Criteria: runner.Criteria{Platform: "qemu"}, Provider: provider, Registry: reg, Parallel: parallel,
		OutputRoot: out, Progress: io.Discard, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		return 0, err
	}
	if rep.Counts.Passed != n {
		return 0, fmt.Errorf("%s", rep.Summary())
	}
	return time.Since(start), nil
}

func repeat(n int, f func() (time.Duration, error)) ([]time.Duration, error) {
	var ds []time.Duration
	for i := 0; i < n; i++ {
		d, err := f()
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds, nil
}

func median(ds []time.Duration) time.Duration { return ds[len(ds)/2] }
func sec(d time.Duration) string              { return fmt.Sprintf("%.2fs", d.Seconds()) }
func spread(ds []time.Duration) string        { return sec(ds[0]) + ".." + sec(ds[len(ds)-1]) }
func ratio(a, b time.Duration) float64        { return a.Seconds() / b.Seconds() }
