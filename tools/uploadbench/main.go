// Command uploadbench measures `ore aws upload` of a sparse file to the S3
// simulator and `ore gce upload` to the Cloud Storage one (`ore … simulate`,
// separate processes) against a raw copy of the same file through a
// loopback TCP connection, and ore's peak RSS, and prints one table.
// ./ci/bench-upload.sh runs it.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ore := flag.String("ore", "bin/ore", "the ore binary")
	size := flag.Int64("size", 1<<30, "file size, bytes (sparse)")
	parallel := flag.Int("parallel", 4, "ore upload --parallel")
	flag.Parse()
	if err := bench(context.Background(), *ore, *size, *parallel); err != nil {
		fmt.Fprintln(os.Stderr, "uploadbench:", err)
		os.Exit(1)
	}
}

func bench(ctx context.Context, ore string, size int64, parallel int) error {
	dir, err := os.MkdirTemp("", "uploadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "disk.img")
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		return err
	}
	f.Close()

	raw, err := loopbackCopy(file)
	if err != nil {
		return fmt.Errorf("loopback copy: %w", err)
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	env := append(os.Environ(), "AWS_ACCESS_KEY_ID=sim", "AWS_SECRET_ACCESS_KEY=sim", "GOOGLE_APPLICATION_CREDENTIALS=")
	// run times one ore command and reads its peak RSS.
	run := func(args ...string) (time.Duration, int64, error) {
		cmd := exec.CommandContext(ctx, ore, args...)
		cmd.Env = env
		cmd.Stderr = os.Stderr
		start := time.Now()
		b, err := cmd.Output()
		if err != nil {
			return 0, 0, fmt.Errorf("ore %v: %w\n%s", args, err, b)
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux
		return time.Since(start), rss * 1024, nil
	}

	awsURL, err := simulate(ctx, ore, "aws")
	if err != nil {
		return err
	}
	if _, _, err := run("aws", "--aws-endpoint", awsURL, "initialize", "--bucket", "bench"); err != nil {
		return err
	}
	awsTook, awsRSS, err := run("aws", "--aws-endpoint", awsURL, "upload", "--bucket", "bench", "--no-progress", "--parallel", fmt.Sprint(parallel), file)
	if err != nil {
		return err
	}
	gceURL, err := simulate(ctx, ore, "gce")
	if err != nil {
		return err
	}
	gceTook, gceRSS, err := run("gce", "--gce-endpoint", gceURL, "--gce-project", "strata-sim", "upload", "--bucket", "kola-images", "--no-progress", file)
	if err != nil {
		return err
	}

	mb := float64(size) / (1 << 20)
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stdout, "%d MiB sparse file to each cloud's storage simulator in another process (aws: --parallel %d, 16 MiB parts; gce: resumable, 16 MiB chunks)\n", size>>20, parallel)
	fmt.Fprintln(w, "measurement\ttime\tthroughput\tratio\t")
	fmt.Fprintf(w, "raw copy through loopback TCP\t%.2fs\t%.0f MiB/s\t1.00\t\n", raw.Seconds(), mb/raw.Seconds())
	for _, r := range []struct {
		name string
		took time.Duration
		rss  int64
	}{{"ore aws upload", awsTook, awsRSS}, {"ore gce upload", gceTook, gceRSS}} {
		fmt.Fprintf(w, "%s\t%.2fs\t%.0f MiB/s\t%.2f× raw time\t\n", r.name, r.took.Seconds(), mb/r.took.Seconds(), r.took.Seconds()/raw.Seconds())
		fmt.Fprintf(w, "%s peak RSS\t\t%.0f MiB\t\t\n", r.name, float64(r.rss)/(1<<20))
	}
	return w.Flush()
}

// simulate starts `ore CLOUD simulate` until ctx ends and returns its URL.
func simulate(ctx context.Context, ore, cloud string) (string, error) {
	sim := exec.CommandContext(ctx, ore, cloud, "simulate", "--listen", "127.0.0.1:0")
	out, err := sim.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := sim.Start(); err != nil {
		return "", err
	}
	go func() { <-ctx.Done(); _ = sim.Wait() }()
	url, err := simulatorURL(out)
	if err != nil {
		return "", fmt.Errorf("ore %s simulate: %w", cloud, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return url, nil
}

// loopbackCopy times sending the file through a TCP connection on
// 127.0.0.1 to a reader that discards it.
func loopbackCopy(file string) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	done := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		_, err = io.Copy(io.Discard, c)
		c.Close()
		done <- err
	}()
	f, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	start := time.Now()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return 0, err
	}
	if _, err := io.Copy(c, f); err != nil {
		return 0, err
	}
	c.Close()
	if err := <-done; err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

var simURL = regexp.MustCompile(`on (http://[0-9.:]+)`)

func simulatorURL(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := simURL.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("no address printed")
}
