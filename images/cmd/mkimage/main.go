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
	name := flag.String("image", "", "image to build (minimal, baseline)")
	out := flag.String("out", "", "directory to write the image into")
	agent := flag.String("agent", "", "static strata-init (minimal)")
	var debs debList
	flag.Var(&debs, "deb", "a package of the image's lock (repeatable)")
	flag.Parse()
	if *name == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "mkimage: -image and -out are required")
		os.Exit(2)
	}
	if err := run(context.Background(), *name, *out, *agent, debs); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, name, out, agent string, debs []string) error {
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
	if agent != "" {
		if agent, err = filepath.Abs(agent); err != nil {
			return err
		}
	}
	quiet := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	img, err := images.Build(ctx, name, images.Options{CacheDir: cache, Agent: agent, Logger: quiet, Offline: true})
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
