// Package images builds strata's hermetic test images from pinned Debian
// packages, without root and reproducibly: the same lock file and agent
// binary give byte-identical images. Images are cached by a hash of their
// inputs, so they are built once, on first use.
package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/strata-os/strata/images/debs"
)

// Image is a built image.
type Image struct {
	Name string `json:"name"`
	// Kernel and Initrd boot the image directly (minimal).
	Kernel string `json:"kernel"`
	Initrd string `json:"initrd"`
	// Cmdline is the kernel command line the image wants.
	Cmdline string `json:"cmdline"`
	// Disk is the base system disk (qcow2) for images that boot from one;
	// machines get a copy-on-write overlay of it.
	Disk string `json:"disk,omitempty"`
	// UserData says how the image takes userdata: "fw_cfg" (the minimal
	// image: scripts and SSH keys through fw_cfg), "ignition" (an
	// Ignition config through fw_cfg, which also carries the SSH key: an
	// image configured by Ignition only, like Fedora CoreOS or Flatcar)
	// or "cloud-init" (a NoCloud cidata disk).
	UserData string `json:"userdata,omitempty"`
	// MinMemoryMiB is the least memory the image boots well with.
	MinMemoryMiB int `json:"min_memory_mib,omitempty"`
	// CPUs is how many CPUs a machine of the image gets unless the user
	// says otherwise (0: one). systemd starts a boot's units in parallel,
	// and under emulation each CPU is a host thread of its own.
	CPUs int `json:"cpus,omitempty"`
	// Distro is the distribution, for tests limited to some ("debian").
	Distro string `json:"distro,omitempty"`
	// OSVersion is the OS version, for tests bounded by version.
	OSVersion string `json:"os_version,omitempty"`
	// SSHReadyLine starts the console line the image prints when its SSH
	// server listens; a provider that sees it dials at once instead of at
	// its next retry.
	SSHReadyLine string `json:"ssh_ready_line,omitempty"`
	// SSHUser is the user kola logs in as.
	SSHUser string `json:"ssh_user"`
	// KernelRelease is the kernel's uname -r.
	KernelRelease string `json:"kernel_release"`
	// InputHash identifies the inputs the image was built from.
	InputHash string `json:"input_hash"`
	Dir       string `json:"-"`
}

// Options for building.
type Options struct {
	// CacheDir holds downloaded packages and built images; default
	// $STRATA_CACHE, else $XDG_CACHE_HOME/strata, else ~/.cache/strata.
	CacheDir string
	// Agent is the static strata-init binary (agent/strata-init), the
	// image's init and SSH server.
	Agent string
	// Ignition is the ignition binary the ignition image runs
	// (github.com/coreos/ignition/v2/internal, built by ./ci/run.sh).
	Ignition string
	// InitrdBus is the static strata-initrd-bus binary
	// (agent/strata-initrd-bus) the ignition image's initramfs runs for
	// Ignition's disks stage.
	InitrdBus string
	Logger    *slog.Logger
	// Offline forbids downloading: every package must already be in
	// CacheDir/debs (Bazel fetched them), else the build fails naming it.
	Offline bool
	// Mirrors are the Debian archive roots packages are fetched from, in
	// order; empty means debs.DefaultMirrors ($STRATA_DEBIAN_MIRRORS, else
	// the host's apt sources, then deb.debian.org).
	Mirrors []string
}

// List returns the images built in cacheDir's image cache, by name and
// then directory; directories without a readable image.json (a build in
// progress, or an older layout) are left out.
func List(cacheDir string) ([]*Image, error) {
	entries, err := os.ReadDir(filepath.Join(cacheDir, "images"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("image cache: %w", err)
	}
	var imgs []*Image
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if img, ok := cached(filepath.Join(cacheDir, "images", e.Name())); ok {
			imgs = append(imgs, img)
		}
	}
	sort.Slice(imgs, func(i, j int) bool {
		if imgs[i].Name != imgs[j].Name {
			return imgs[i].Name < imgs[j].Name
		}
		return imgs[i].Dir < imgs[j].Dir
	})
	return imgs, nil
}

// fetcher fetches the packages of the named lock (minimal or debian) into
// the cache, from opts' mirrors.
func (opts Options) fetcher(lock string) *debs.Fetcher {
	return &debs.Fetcher{
		CacheDir: filepath.Join(opts.CacheDir, "debs"),
		Mirrors:  opts.Mirrors,
		Offline:  opts.Offline,
		Lock:     lock + ".lock",
		Refresh:  "ore qemu update-lock " + lock,
		Logger:   opts.Logger,
	}
}

// packagesHash identifies the packages an image is built from: what each
// is, not where it is fetched from or how the lock is laid out.
func packagesHash(pkgs []debs.Package) string {
	h := sha256.New()
	for _, p := range pkgs {
		fmt.Fprintf(h, "%s %s %s\n", p.Name, p.Version, p.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Names lists the images Build knows.
func Names() []string { return []string{"minimal", "debian", "ignition", "baseline"} }

// Build returns the named image, building it if its inputs changed.
func Build(ctx context.Context, name string, opts Options) (*Image, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CacheDir == "" {
		dir, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		opts.CacheDir = dir
	}
	switch name {
	case "minimal":
		return buildMinimal(ctx, minimalLock, opts)
	case "debian":
		return buildDebian(ctx, debianLock, opts)
	case "ignition":
		return buildIgnition(ctx, ignitionLock, opts)
	case "baseline":
		return buildBaseline(ctx, minimalLock, opts)
	}
	return nil, fmt.Errorf("unknown image %q (known: %s)", name, strings.Join(Names(), ", "))
}

// BesideProgram is the file name beside the running program: where
// ./ci/build.sh puts the images' agents next to kola and ore (bin/kola,
// bin/strata-init, bin/ignition), so each finds them by default.
func BesideProgram(name string) string {
	exe, err := os.Executable()
	if err != nil {
		return name
	}
	return filepath.Join(filepath.Dir(exe), name)
}

// DefaultCacheDir is where images and packages are cached.
func DefaultCacheDir() (string, error) {
	if d := os.Getenv("STRATA_CACHE"); d != "" {
		return d, nil
	}
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "strata"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("image cache: %w (set STRATA_CACHE)", err)
	}
	return filepath.Join(home, ".cache", "strata"), nil
}

// Load returns the image built into dir (it holds an image.json), its
// files by absolute path: a machine's disk overlay names its backing
// file, which qemu-img would take relative to the overlay's directory.
func Load(dir string) (*Image, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	img, ok := cached(abs)
	if !ok {
		return nil, fmt.Errorf("%s: not an image directory (no readable image.json)", dir)
	}
	return img, nil
}

// cached returns the image in dir if a previous build finished there.
func cached(dir string) (*Image, bool) {
	b, err := os.ReadFile(filepath.Join(dir, "image.json"))
	if err != nil {
		return nil, false
	}
	var img Image
	if json.Unmarshal(b, &img) != nil {
		return nil, false
	}
	img.Dir = dir
	if img.Distro == "" { // images built before images said so
		img.Distro = map[string]string{"minimal": MinimalDistro, "debian": "debian", "ignition": IgnitionDistro}[img.Name]
	}
	img.Kernel = filepath.Join(dir, img.Kernel)
	img.Initrd = filepath.Join(dir, img.Initrd)
	if img.Disk != "" {
		img.Disk = filepath.Join(dir, img.Disk)
	}
	return &img, true
}

// publish writes image.json into tmp and renames tmp to dir, so a reader
// (or a concurrent build) sees a whole image or none.
func publish(tmp, dir string, img *Image) (*Image, error) {
	rel := *img
	rel.Kernel, rel.Initrd = filepath.Base(img.Kernel), filepath.Base(img.Initrd)
	if img.Disk != "" {
		rel.Disk = filepath.Base(img.Disk)
	}
	b, err := json.MarshalIndent(rel, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "image.json"), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if got, ok := cached(dir); ok { // another build won the race
			os.RemoveAll(tmp)
			return got, nil
		}
		return nil, fmt.Errorf("publish image %s: %w", dir, err)
	}
	got, _ := cached(dir)
	return got, nil
}

// FileSHA256 is the hex sha256 of a file, as lock files give it.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// inputHash hashes named inputs in a fixed order.
func inputHash(parts map[string]string) string {
	keys := make([]string, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\n", k, parts[k])
	}
	return hex.EncodeToString(h.Sum(nil))
}
