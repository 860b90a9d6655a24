// Command mkimage builds one test image from packages already fetched (by
// Bazel, pinned by the lock's sha256) into a directory: the action behind
// the strata_image rule (images/defs.bzl). It never downloads.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/strata-os/strata/images"
)

type debList []string

func (d *debList) String() string     { return strings.Join(*d, ",") }
func (d *debList) Set(v string) error { *d = append(*d, v); return nil }

func main() {
	name := flag.String("image", "", "image to build (minimal, baseline, ignition)")
	out := flag.String("out", "", "directory to write the image into")
	var progs images.Options
	flag.StringVar(&progs.Agent, "agent", "", "static strata-init (minimal)")
	flag.StringVar(&progs.Ignition, "ignition", "", "the ignition binary (ignition)")
	flag.StringVar(&progs.InitrdBus, "initrd-bus", "", "static strata-initrd-bus (ignition)")
	var debs debList
	flag.Var(&debs, "deb", "a package of the image's lock (repeatable)")
	args, err := expandParamFile(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(2)
	}
	if err := flag.CommandLine.Parse(args); err != nil {
		os.Exit(2)
	}
	if *name == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "mkimage: -image and -out are required")
		os.Exit(2)
	}
	if err := run(context.Background(), *name, *out, progs, debs); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// run builds the image with progs' programs (paths relative to the
// action's working directory) from debs.
func run(ctx context.Context, name, out string, progs images.Options, debs []string) error {
	cache, err := os.MkdirTemp("", "mkimage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	// The image builder finds a package in its cache by sha256; anything
	// missing or different would be fetched, which an action must not do.
	if err := os.MkdirAll(filepath.Join(cache, "debs"), 0o755); err != nil {
		return err
	}
	for _, d := range debs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return err
		}
		sum, err := images.FileSHA256(abs)
		if err != nil {
			return fmt.Errorf("package %s: %w", d, err)
		}
		if err := os.Symlink(abs, filepath.Join(cache, "debs", sum+".deb")); err != nil && !os.IsExist(err) {
			return err
		}
	}
	// The image build runs programs from other directories: absolute
	// paths, so that they are found from there too.
	for _, p := range []*string{&progs.Agent, &progs.Ignition, &progs.InitrdBus} {
		if *p == "" {
			continue
		}
		if *p, err = filepath.Abs(*p); err != nil {
			return err
		}
	}
	progs.CacheDir = cache
	progs.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	progs.Offline = true
	img, err := images.Build(ctx, name, progs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(img.Dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := copyFile(filepath.Join(img.Dir, e.Name()), filepath.Join(out, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// expandParamFile reads the arguments from @FILE, one a line, when that
// is the only argument: Bazel's param file (images/defs.bzl).
func expandParamFile(args []string) ([]string, error) {
	if len(args) != 1 || !strings.HasPrefix(args[0], "@") {
		return args, nil
	}
	b, err := os.ReadFile(args[0][1:])
	if err != nil {
		return nil, fmt.Errorf("read arguments: %w", err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
