// Command uploadbench measures `ore aws upload` of a file to the S3
// simulator, `ore gce upload` to the Cloud Storage one and `ore azure
// upload-blob` (of the file as a fixed VHD) to the Blob storage one (`ore
// … simulate`, separate processes) against two floors measured in the
// same run — a raw copy of the same file through a loopback TCP
// connection, and one MD5 pass over it (the clouds' protocols hash every
// byte) — and ore's peak RSS, and prints one table.
// ./ci/bench-upload.sh runs it.
package main

import (
	"bufio"
	"context"
	"crypto/md5"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ore := flag.String("ore", "bin/ore", "the ore binary")
	size := flag.Int64("size", 1<<30, "file size, bytes")
	parallel := flag.Int("parallel", 4, "ore upload --parallel")
	rounds := flag.Int("n", 3, "rounds; each measurement's median is reported")
	flag.Parse()
	if err := bench(context.Background(), *ore, *size, *parallel, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "uploadbench:", err)
		os.Exit(1)
	}
}

// measurement is one row's samples.
type measurement struct {
	name  string
	took  []time.Duration
	rss   int64 // the largest seen
	floor bool
}

func (m *measurement) median() time.Duration {
	s := slices.Clone(m.took)
	slices.Sort(s)
	return s[len(s)/2]
}

func bench(ctx context.Context, ore string, size int64, parallel, rounds int) error {
	dir, err := os.MkdirTemp("", "uploadbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "disk.img")
	if err := writeImage(file, size); err != nil {
		return err
	}
	// Azure takes fixed VHDs: the same bytes and a footer, made once, so
	// that the row times the upload and not qemu-img.
	vhd := filepath.Join(dir, "disk.vhd")
	if b, err := exec.CommandContext(ctx, "qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on", file, vhd).CombinedOutput(); err != nil {
		return fmt.Errorf("qemu-img convert to a fixed VHD: %w\n%s", err, b)
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

	raw := &measurement{name: "raw copy through loopback TCP", floor: true}
	hash := &measurement{name: "MD5 of the file, one core", floor: true}
	aws := &measurement{name: "ore aws upload"}
	gce := &measurement{name: "ore gce upload"}
	azure := &measurement{name: "ore azure upload-blob"}
	// upload times one upload to a simulator of its own, stopped after
	// it: the objects it stored go with it, so no round's upload waits
	// for the disk to take an earlier round's.
	upload := func(row *measurement, cloud string, args func(url string) []string) error {
		var extra []string
		if cloud == "azure" { // where its CA certificate and auth file go
			extra = []string{"--state-dir", filepath.Join(dir, cloud)}
		}
		url, stop, err := simulate(ctx, ore, cloud, extra...)
		if err != nil {
			return err
		}
		defer stop()
		if cloud == "aws" {
			if _, _, err := run("aws", "--aws-endpoint", url, "initialize", "--bucket", "bench"); err != nil {
				return err
			}
		}
		took, rss, err := run(args(url)...)
		if err != nil {
			return err
		}
		row.took = append(row.took, took)
		row.rss = max(row.rss, rss)
		return nil
	}
	// Rounds interleave the rows, so a noisy minute on a shared machine
	// lands on all of them rather than on one.
	for range rounds {
		took, err := loopbackCopy(file)
		if err != nil {
			return fmt.Errorf("loopback copy: %w", err)
		}
		raw.took = append(raw.took, took)
		if took, err = md5File(file); err != nil {
			return err
		}
		hash.took = append(hash.took, took)
		if err := upload(aws, "aws", func(url string) []string {
			return []string{"aws", "--aws-endpoint", url, "upload", "--bucket", "bench", "--no-progress", "--parallel", fmt.Sprint(parallel), file}
		}); err != nil {
			return err
		}
		if err := upload(gce, "gce", func(url string) []string {
			return []string{"gce", "--gce-endpoint", url, "--gce-project", "strata-sim", "upload", "--bucket", "kola-images", "--no-progress", file}
		}); err != nil {
			return err
		}
		if err := upload(azure, "azure", func(url string) []string {
			state := filepath.Join(dir, "azure")
			return []string{"azure", "--azure-endpoint", url, "--azure-ca-file", filepath.Join(state, "ca.pem"), "--azure-auth", filepath.Join(state, "azureAuth.json"),
				"upload-blob", "--storage-account", "stratasim", "--no-progress", "--parallel", fmt.Sprint(2 * parallel), vhd}
		}); err != nil {
			return err
		}
	}

	mb := float64(size) / (1 << 20)
	floor := raw.median()
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(os.Stdout, "%d MiB file to each cloud's storage simulator in another process, median of %d rounds (aws: --parallel %d, 16 MiB parts; gce: resumable, 8 MiB chunks; azure: --parallel %d, 4 MiB pages)\n", size>>20, rounds, parallel, 2*parallel)
	fmt.Fprintln(w, "measurement\ttime\trange\tthroughput\t× raw copy\t× one MD5 pass\tpeak RSS\t")
	for _, m := range []*measurement{raw, hash, aws, gce, azure} {
		med := m.median()
		rss := ""
		if !m.floor {
			rss = fmt.Sprintf("%.0f MiB", float64(m.rss)/(1<<20))
		}
		fmt.Fprintf(w, "%s\t%.2fs\t%.2f..%.2fs\t%.0f MiB/s\t%.2f\t%.2f\t%s\t\n", m.name, med.Seconds(),
			slices.Min(m.took).Seconds(), slices.Max(m.took).Seconds(), mb/med.Seconds(),
			floor.Seconds()/med.Seconds(), hash.median().Seconds()/med.Seconds(), rss)
	}
	return w.Flush()
}

// md5File times one MD5 of the file on one core: S3's ETag is the MD5 of
// every byte, and both ends of an S3 upload (the client for Content-MD5,
// the service for the ETag) compute it, so no S3 upload is faster than
// this, however fast the wire.
func md5File(path string) (time.Duration, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	start := time.Now()
	if _, err := io.CopyBuffer(md5.New(), f, make([]byte, 1<<20)); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// writeImage writes a file of size bytes that are not all zero (a sparse
// file's holes read at a speed no disk image does), and leaves it in the
// page cache, as a freshly built image is.
func writeImage(path string, size int64) error {
	block := make([]byte, 1<<20)
	rand.NewChaCha8([32]byte{}).Read(block)
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	for off := int64(0); off < size; off += int64(len(block)) {
		if _, err := f.Write(block[:min(int64(len(block)), size-off)]); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// simulate starts `ore CLOUD simulate` and returns its URL and a stop
// that ends it and waits until it has gone, with what it stored.
func simulate(ctx context.Context, ore, cloud string, extra ...string) (string, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	sim := exec.CommandContext(ctx, ore, append([]string{cloud, "simulate", "--listen", "127.0.0.1:0"}, extra...)...)
	out, err := sim.StdoutPipe()
	if err != nil {
		cancel()
		return "", nil, err
	}
	if err := sim.Start(); err != nil {
		cancel()
		return "", nil, err
	}
	stop := func() {
		cancel()
		_ = sim.Wait()
	}
	url, err := simulatorURL(out)
	if err != nil {
		stop()
		return "", nil, fmt.Errorf("ore %s simulate: %w", cloud, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return url, stop, nil
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
		// Large reads, as a storage server's are: io.Discard's own
		// 8 KiB reads would make the floor a syscall benchmark.
		_, err = io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{c}, make([]byte, 1<<20))
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

var simURL = regexp.MustCompile(`on (https?://[0-9.:]+)`)

func simulatorURL(r io.Reader) (string, error) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if m := simURL.FindStringSubmatch(sc.Text()); m != nil {
			return m[1], nil
		}
	}
	return "", fmt.Errorf("no address printed")
}
