package images

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cavaliergopher/cpio"
)

// agentBinary builds strata-init for the image tests.
func agentBinary(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get: cannot fetch Debian packages")
	}
	if p := os.Getenv("STRATA_TEST_STRATA_INIT"); p != "" { // Bazel builds it
		// A runfiles path; go_test runs in the package's directory.
		return filepath.Join(os.Getenv("TEST_SRCDIR"), os.Getenv("TEST_WORKSPACE"), p)
	}
	out := filepath.Join(t.TempDir(), "strata-init")
	cmd := exec.Command("go", "build", "-ldflags=-s -w", "-o", out, "./strata-init")
	cmd.Dir = filepath.Join("..", "agent")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build strata-init: %v\n%s", err, b)
	}
	return out
}

// The same lock and agent give byte-identical images, built in two caches
// that share only the downloaded packages.
func TestMinimalReproducible(t *testing.T) {
	agent := agentBinary(t)
	shared := sharedDebCache(t)
	var hashes [2][2]string
	for i := range hashes {
		cache := t.TempDir()
		if err := os.Symlink(shared, filepath.Join(cache, "debs")); err != nil {
			t.Fatal(err)
		}
		img, err := Build(context.Background(), "minimal", Options{CacheDir: cache, Agent: agent})
		if err != nil {
			t.Fatal(err)
		}
		for j, f := range []string{img.Kernel, img.Initrd} {
			if hashes[i][j], err = FileSHA256(f); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			checkMinimalContents(t, img)
			again, err := Build(context.Background(), "minimal", Options{CacheDir: cache, Agent: agent})
			if err != nil || again.Dir != img.Dir {
				t.Errorf("second build did not reuse the cache: %v %s %s", err, again.Dir, img.Dir)
			}
		}
	}
	if hashes[0] != hashes[1] {
		t.Errorf("builds differ: %v vs %v", hashes[0], hashes[1])
	}
}

// sharedDebCache is the developer's package cache, so repeated test runs do
// not download again.
func sharedDebCache(t *testing.T) string {
	dir, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	d := filepath.Join(dir, "debs")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	return d
}

func checkMinimalContents(t *testing.T, img *Image) {
	t.Helper()
	f, err := os.Open(img.Initrd)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := cpio.NewReader(f)
	got := map[string]*cpio.Header{}
	for {
		h, err := r.Next()
		if err != nil {
			break
		}
		got[h.Name] = h
	}
	for _, want := range []string{"init", "bin/strata-init", "bin/busybox", "lib/modules/virtio_net.ko", "lib/modules/qemu_fw_cfg.ko", "lib/modules/strata.order"} {
		h, ok := got[want]
		if !ok {
			t.Errorf("initrd lacks %s", want)
			continue
		}
		if h.ModTime.Unix() != 0 || h.Uid != 0 {
			t.Errorf("%s: mtime %v uid %d", want, h.ModTime, h.Uid)
		}
	}
	if got["init"] != nil && got["init"].Linkname != "bin/strata-init" {
		t.Errorf("init -> %q", got["init"].Linkname)
	}
	if !strings.HasPrefix(img.KernelRelease, "6.1.0-") || img.Cmdline != MinimalCmdline {
		t.Errorf("image %+v", img)
	}
}

func TestModuleOrder(t *testing.T) {
	agent := agentBinary(t)
	img, err := Build(context.Background(), "minimal", Options{CacheDir: sharedCacheRoot(t), Agent: agent})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(img.Initrd)
	defer f.Close()
	r := cpio.NewReader(f)
	for {
		h, err := r.Next()
		if err != nil {
			t.Fatal("no strata.order")
		}
		if h.Name != "lib/modules/strata.order" {
			continue
		}
		b := make([]byte, h.Size)
		if _, err := r.Read(b); err != nil {
			t.Fatal(err)
		}
		order := strings.Fields(string(b))
		pos := map[string]int{}
		for i, m := range order {
			pos[m] = i
		}
		for _, dep := range [][2]string{{"virtio.ko", "virtio_pci.ko"}, {"virtio_ring.ko", "virtio_net.ko"}, {"failover.ko", "net_failover.ko"}, {"net_failover.ko", "virtio_net.ko"}} {
			a, okA := pos[dep[0]]
			b, okB := pos[dep[1]]
			if !okA || !okB || a > b {
				t.Errorf("%s must load before %s: order %v", dep[0], dep[1], order)
			}
		}
		return
	}
}

func sharedCacheRoot(t *testing.T) string {
	dir, err := DefaultCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestUnknownImage(t *testing.T) {
	if _, err := Build(context.Background(), "nosuch", Options{CacheDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), `unknown image "nosuch" (known: minimal, debian, ignition, baseline)`) {
		t.Errorf("err %v", err)
	}
}

// An offline build (the Bazel action) with a package missing fails naming
// it instead of downloading.
func TestOfflineBuildNamesMissingPackage(t *testing.T) {
	_, err := Build(context.Background(), "baseline", Options{CacheDir: t.TempDir(), Offline: true})
	if err == nil || !strings.Contains(err.Error(), "offline build: package linux-image-") {
		t.Errorf("err = %v, want the missing kernel package named", err)
	}
}

func TestList(t *testing.T) {
	cache := t.TempDir()
	if imgs, err := List(cache); err != nil || len(imgs) != 0 {
		t.Fatalf("empty cache: %v, %v", imgs, err)
	}
	write := func(dir, json string) {
		t.Helper()
		p := filepath.Join(cache, "images", dir)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		if json != "" {
			if err := os.WriteFile(filepath.Join(p, "image.json"), []byte(json), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("minimal-bbb", `{"name":"minimal","kernel":"vmlinuz","initrd":"initrd.img"}`)
	write("debian-aaa", `{"name":"debian","kernel":"vmlinuz","initrd":"initrd.img","disk":"disk.qcow2"}`)
	write("minimal-aaa", `{"name":"minimal","kernel":"vmlinuz","initrd":"initrd.img"}`)
	write(".build-debian-x", `{"name":"debian"}`) // in progress
	write("broken", `{`)                          // unreadable
	write("empty", "")                            // no image.json
	imgs, err := List(cache)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, img := range imgs {
		got = append(got, img.Name+" "+filepath.Base(img.Dir))
	}
	want := "debian debian-aaa,minimal minimal-aaa,minimal minimal-bbb"
	if strings.Join(got, ",") != want {
		t.Errorf("List = %q, want %q", got, want)
	}
	if imgs[0].Disk != filepath.Join(cache, "images", "debian-aaa", "disk.qcow2") {
		t.Errorf("paths not made absolute: %+v", imgs[0])
	}
}

// A directory given relative to the working directory (Bazel's
// $(rootpath //images:ignition), a user's ./out) loads with absolute
// paths: the qemu provider names the disk as an overlay's backing file.
func TestLoadRelativeDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "images", "ignition"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "images", "ignition", "image.json"),
		[]byte(`{"name":"ignition","kernel":"vmlinuz","initrd":"initrd.img","disk":"disk.qcow2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	img, err := Load(filepath.Join("images", "ignition"))
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "images", "ignition")
	if img.Dir != want || img.Disk != filepath.Join(want, "disk.qcow2") || img.Kernel != filepath.Join(want, "vmlinuz") {
		t.Errorf("Load(images/ignition) = dir %q disk %q kernel %q, want them under %q", img.Dir, img.Disk, img.Kernel, want)
	}
	if _, err := Load("missing"); err == nil || !strings.Contains(err.Error(), "missing: not an image directory") {
		t.Errorf("Load(missing) error %v, want one naming the directory as given", err)
	}
}
