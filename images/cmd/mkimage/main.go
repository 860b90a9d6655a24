// Command mkimage builds one test image from packages already fetched (by
// Bazel, pinned by the lock's sha256) into a directory: the action behind
// the strata_image rule (images/defs.bzl). With -from, it writes a built
// image as a bootable disk for a platform instead, with the boot loaders
// from boot.lock's packages: the action behind strata_disk. It never
// downloads.
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
	out := flag.String("out", "", "directory to write the image into (with -from: the disk file)")
	from := flag.String("from", "", "a built image's directory to write as a disk (instead of building one)")
	format := flag.String("format", "", "with -from: the disk's format ("+strings.Join(images.DiskFormats(), ", ")+")")
	platform := flag.String("platform", "", "with -from: the platform the image is for (its ignition.platform.id)")
	var progs images.Options
	flag.StringVar(&progs.Agent, "agent", "", "static strata-init (minimal)")
	flag.StringVar(&progs.Ignition, "ignition", "", "the ignition binary (ignition)")
	flag.StringVar(&progs.InitrdBus, "initrd-bus", "", "static strata-initrd-bus (ignition)")
	var debs debList
	flag.Var(&debs, "deb", "a package of the image's lock, or with -from of boot.lock (repeatable)")
	args, err := expandParamFile(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(2)
	}
	if err := flag.CommandLine.Parse(args); err != nil {
		os.Exit(2)
	}
	switch {
	case *out == "":
		fmt.Fprintln(os.Stderr, "mkimage: -out is required")
		os.Exit(2)
	case *from == "" && *name == "":
		fmt.Fprintln(os.Stderr, "mkimage: -image (to build an image) or -from (to write one as a disk) is required")
		os.Exit(2)
	case *from != "" && *format == "":
		fmt.Fprintln(os.Stderr, "mkimage: -from needs -format")
		os.Exit(2)
	}
	ctx := context.Background()
	if *from != "" {
		err = writeDisk(ctx, *from, *format, *platform, *out, debs)
	} else {
		err = run(ctx, *name, *out, progs, debs)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// writeDisk writes the image in dir as a bootable disk of format for
// platform (none: as it is), the boot loaders coming from debs.
func writeDisk(ctx context.Context, dir, format, platform, out string, debs []string) error {
	cache, err := debCache(debs)
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
	img, err := images.Load(dir)
	if err != nil {
		return err
	}
	if platform != "" {
		if img, err = images.ForPlatform(img, platform); err != nil {
			return err
		}
	}
	if out, err = filepath.Abs(out); err != nil {
		return err
	}
	opts := images.Options{CacheDir: cache, Offline: true, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	return images.WriteDisk(ctx, img, format, out, opts)
}

// debCache makes a cache directory in which the image builder finds the
// packages by sha256: anything missing or different would be fetched,
// which an action must not do.
func debCache(debs []string) (string, error) {
	cache, err := os.MkdirTemp("", "mkimage-")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(cache, "debs"), 0o755); err != nil {
		os.RemoveAll(cache)
		return "", err
	}
	for _, d := range debs {
		abs, err := filepath.Abs(d)
		if err == nil {
			var sum string
			if sum, err = images.FileSHA256(abs); err == nil {
				err = os.Symlink(abs, filepath.Join(cache, "debs", sum+".deb"))
				if os.IsExist(err) {
					err = nil
				}
			}
		}
		if err != nil {
			os.RemoveAll(cache)
			return "", fmt.Errorf("package %s: %w", d, err)
		}
	}
	return cache, nil
}

// run builds the image with progs' programs (paths relative to the
// action's working directory) from debs.
func run(ctx context.Context, name, out string, progs images.Options, debs []string) error {
	cache, err := debCache(debs)
	if err != nil {
		return err
	}
	defer os.RemoveAll(cache)
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
