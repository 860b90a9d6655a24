package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/images/debs"
)

type qemuCmd struct {
	CacheDir string   `name:"cache-dir" type:"path" placeholder:"DIR" help:"Image cache (default \\$STRATA_CACHE, else ~/.cache/strata)."`
	Mirrors  []string `name:"debian-mirror" env:"STRATA_DEBIAN_MIRRORS" placeholder:"URL" help:"Debian archive roots to fetch the locks' packages from, tried in order (repeatable or comma-separated; default: the host's apt sources, then deb.debian.org)."`

	BuildImage qemuBuildImageCmd `cmd:"" help:"Build an image from its pinned packages, or find it in the cache; print where it is."`
	ListImages qemuListImagesCmd `cmd:"" help:"List the images in the cache."`
	UpdateLock qemuUpdateLockCmd `cmd:"" help:"Re-resolve an image's lock file from the host's apt index, rewrite it, and print what moved."`
}

// mirrors checks the --debian-mirror list; none means the default list.
func (q *qemuCmd) mirrors() ([]string, error) {
	if len(q.Mirrors) == 0 {
		return nil, nil
	}
	m, err := debs.ParseMirrors("--debian-mirror", strings.Join(q.Mirrors, ","))
	if err != nil {
		return nil, platform.Usage(err)
	}
	return m, nil
}

func (q *qemuCmd) cacheDir() (string, error) {
	if q.CacheDir != "" {
		return q.CacheDir, nil
	}
	return images.DefaultCacheDir()
}

type qemuBuildImageCmd struct {
	Name      string `arg:"" enum:"minimal,debian,ignition,baseline" help:"Image: ${enum}."`
	Agent     string `type:"path" placeholder:"PATH" help:"The static strata-init for the minimal image (default: strata-init next to ore)."`
	Ignition  string `name:"ignition-binary" type:"path" placeholder:"PATH" help:"The ignition binary for the ignition image (default: ignition next to ore)."`
	InitrdBus string `name:"initrd-bus" type:"path" placeholder:"PATH" help:"The static strata-initrd-bus for the ignition image's initramfs (default: strata-initrd-bus next to ore)."`
	JSON      bool   `name:"json" help:"Print the image's description as JSON."`
	Format    string `name:"format" placeholder:"FORMAT" help:"Also write the image as a bootable disk (BIOS and UEFI) in this format: raw, qcow2 (QEMU, OpenStack), vhd (fixed, Azure), vmdk (stream-optimized) or ova (vSphere), gce-tar (disk.raw in a tar.gz, Compute Engine); needs --output."`
	Output    string `name:"output" type:"path" placeholder:"FILE" help:"Where --format writes the disk; its description goes beside it (FILE.json), for kola --qemu-image FILE."`
	Platform  string `name:"platform" placeholder:"PLATFORM" help:"The cloud the ignition image's disk is for: Ignition reads its config from that cloud's metadata on first boot (aws, gce, azure, do, openstack, esx, packet, metal, qemu; Ignition's IDs such as gcp work too). Default qemu (fw_cfg)."`
}

func (b *qemuBuildImageCmd) Run(a *app, q *qemuCmd) error {
	if (b.Format == "") != (b.Output == "") {
		return platform.Usagef("--format and --output go together: a disk needs both its format and where to write it")
	}
	if b.Format != "" && !slices.Contains(images.DiskFormats(), b.Format) {
		return platform.Usagef("--format %q: want one of %s", b.Format, strings.Join(images.DiskFormats(), ", "))
	}
	if b.Platform != "" {
		if b.Name != "ignition" {
			return platform.Usagef("--platform %s: only the ignition image is made per platform (%s takes its userdata the same way everywhere)", b.Platform, b.Name)
		}
		if b.Format == "" {
			return platform.Usagef("--platform %s: the platform goes on a disk: give --format and --output", b.Platform)
		}
		if _, err := images.ForPlatform(&images.Image{Name: b.Name, Cmdline: images.IgnitionCmdline}, b.Platform); err != nil {
			return platform.Usagef("--platform: %v", err)
		}
	}
	cache, err := q.cacheDir()
	if err != nil {
		return err
	}
	opts := images.Options{CacheDir: cache, Agent: b.Agent, Ignition: b.Ignition, InitrdBus: b.InitrdBus, Logger: a.log}
	if err := images.LocatePrograms(b.Name, &opts, map[string]string{
		images.ProgramAgent: "--agent", images.ProgramIgnition: "--ignition-binary", images.ProgramInitrdBus: "--initrd-bus",
	}); err != nil {
		return platform.Usage(err)
	}
	mirrors, err := q.mirrors()
	if err != nil {
		return err
	}
	ctx, cancel := a.context()
	defer cancel()
	opts.Mirrors = mirrors
	img, err := images.Build(ctx, b.Name, opts)
	if err != nil {
		return fmt.Errorf("build image %s: %w", b.Name, err)
	}
	if b.Platform != "" {
		if img, err = images.ForPlatform(img, b.Platform); err != nil {
			return fmt.Errorf("build image %s: %w", b.Name, err)
		}
	}
	if b.Format != "" {
		if err := images.WriteDisk(ctx, img, b.Format, b.Output, images.Options{CacheDir: cache, Logger: a.log, Mirrors: mirrors}); err != nil {
			return fmt.Errorf("build image %s: %w", b.Name, err)
		}
		fmt.Fprintln(a.stdout, b.Output)
		return nil
	}
	if b.JSON {
		return writeJSON(a, img)
	}
	fmt.Fprintln(a.stdout, img.Dir)
	return nil
}

type qemuListImagesCmd struct {
	JSON bool `name:"json" help:"Print JSON: a list of image descriptions."`
}

func (l *qemuListImagesCmd) Run(a *app, q *qemuCmd, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "listing the cache fetches nothing", "debian-mirror"); err != nil {
		return err
	}
	cache, err := q.cacheDir()
	if err != nil {
		return err
	}
	imgs, err := images.List(cache)
	if err != nil {
		return err
	}
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKERNEL\tDISK\tDIR")
	for _, img := range imgs {
		disk := "-"
		if img.Disk != "" {
			disk = filepath.Base(img.Disk)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", img.Name, img.KernelRelease, disk, img.Dir)
	}
	return w.Flush()
}

// imageJSON is an image as ore prints it: with its directory, which
// images.Image leaves out of its own image.json.
type imageJSON struct {
	*images.Image
	Dir string `json:"dir"`
}

func writeJSON(a *app, v any) error {
	switch x := v.(type) {
	case *images.Image:
		v = imageJSON{x, x.Dir}
	case []*images.Image:
		out := make([]imageJSON, len(x))
		for i, img := range x {
			out[i] = imageJSON{img, img.Dir}
		}
		v = out
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
