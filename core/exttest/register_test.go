package exttest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/runner"
)

// External tests run through kola on a (fake) machine: the executable and
// its data are copied, it runs as root with KOLA_EXT_DATA, KOLA_TEST and
// KOLA_TEST_EXE; 0 passes, 77 skips, anything else fails with stderr.
func TestRunExternal(t *testing.T) {
	// The fake machine runs commands with the host's sh, as root here:
	// a sudo that runs its command.
	shim := t.TempDir()
	if err := os.WriteFile(filepath.Join(shim, "sudo"), []byte("#!/bin/sh\nexec \"$@\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", shim+":"+os.Getenv("PATH"))

	dir := filepath.Join(t.TempDir(), "ext1")
	write(t, dir, map[string]string{
		"tests/kola/data-env/test*": "#!/bin/sh\n## kola:\n##   timeoutMin: 1\nset -e\n" +
			`test "$(cat "$KOLA_EXT_DATA/sub/f")" = data` + "\n" +
			`test "$KOLA_TEST" = ext.ext1.data-env && test "$KOLA_TEST_EXE" = test` + "\n" +
			`test -x "$KOLA_EXT_DATA/run.sh"` + "\necho all good\n",
		"tests/kola/data-env/data/sub/f*":  "data",
		"tests/kola/data-env/data/run.sh*": "#!/bin/sh\n",
		"tests/kola/skips/test*":           "#!/bin/sh\necho 'needs a TPM' >&2\nexit 77\n",
		"tests/kola/fails/test*":           "#!/bin/sh\necho boom >&2\nexit 3\n",
	})
	found, err := Discover(dir)
	if err != nil {
		t.Fatal(err)
	}
	reg := register.NewRegistry()
	for _, ft := range found {
		rt, err := ft.Test()
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Register(rt); err != nil {
			t.Fatal(err)
		}
	}
	fake := platformtest.New(platformtest.Options{})
	var progress bytes.Buffer
	rep, err := runner.Run(context.Background(), runner.Options{
		Criteria: runner.Criteria{Platform: "fake"}, Provider: fake.Registration(), Registry: reg,
		Parallel: "2", OutputRoot: t.TempDir(), Grace: 200 * time.Millisecond, Progress: &progress,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(progress.String())
	got := map[string]*runner.TestReport{}
	for _, r := range rep.Tests {
		got[r.Name] = r
	}
	if r := got["ext.ext1.data-env"]; r == nil || r.Status != runner.Passed || !strings.Contains(strings.Join(r.Output, "\n"), "all good") {
		t.Errorf("data-env: %+v", r)
	}
	if r := got["ext.ext1.skips"]; r == nil || r.Status != runner.Skipped || !strings.Contains(r.Messages[0], "exited 77: skipped: needs a TPM") {
		t.Errorf("skips: %+v", r)
	}
	if r := got["ext.ext1.fails"]; r == nil || r.Status != runner.Failed || !strings.Contains(strings.Join(r.Messages, "\n"), "boom") {
		t.Errorf("fails: %+v", r)
	}
	if live := fake.Live(); len(live) != 0 {
		t.Errorf("machines left: %v", live)
	}
}

// Metadata becomes the test's: platform lists its platforms, machine
// keys its machine shape, requiredHostPorts its host ports.
func TestTestFromMeta(t *testing.T) {
	rt, err := Test{Name: "ext.x.a", Executable: "/x/a", Meta: Meta{Exclusive: true, Platforms: "!aws gce", Architectures: "x86_64", Tags: "smoke", TimeoutMin: 7}}.Test()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rt.ExcludePlatforms, ",") != "aws,gce" || len(rt.Platforms) != 0 || rt.Architectures[0] != "x86_64" ||
		strings.Join(rt.Tags, ",") != "external,smoke" || rt.Timeout != 7*time.Minute || rt.ClusterSize != 1 {
		t.Errorf("%+v", rt)
	}
	created, _ := time.Parse("2006-01-02", "2026-11-30")
	rt, err = Test{Name: "ext.x.c", Executable: "/x/c", Meta: Meta{Exclusive: true, RequiredTag: "tpm", CreationDate: "2026-11-30", Created: created}}.Test()
	if err != nil || rt.RequiredTag != "tpm" || !rt.Created.Equal(created) {
		t.Errorf("requiredTag and creationDate: %+v %v", rt, err)
	}
	if rt, err := (Test{Name: "ext.x.d", Executable: "/x/d", Meta: Meta{Exclusive: false}}).Test(); err != nil || !rt.Shared {
		t.Errorf("a non-exclusive test: %+v %v", rt, err)
	}
	if rt, err := (Test{Name: "ext.x.e", Executable: "/x/e", Meta: Meta{Conflicts: []string{"ext.x.d"}}}).Test(); err != nil || rt.Conflicts[0] != "ext.x.d" {
		t.Errorf("conflicts: %+v %v", rt, err)
	}
	// What a test asks of its machine goes to the platform, which skips
	// what it cannot give; primaryDisk's options strata has none of.
	rt, err = Test{Name: "ext.x.f", Executable: "/x/f", Meta: Meta{Exclusive: true, PrimaryDisk: "20G", MinMemory: 4096, MinDisk: 15,
		AdditionalNics: 2, AppendKernelArgs: "enforcing=0", AppendFirstbootKernelArgs: "ip=dhcp", RequiredHostPorts: []int{2049}}}.Test()
	want := platform.MachineShape{MinMemoryMiB: 4096, MinDiskGiB: 15, RootDisk: "20G", AdditionalNICs: 2, KernelArgs: "enforcing=0", FirstbootKernelArgs: "ip=dhcp"}
	if err != nil || rt.Machine != want || len(rt.HostPorts) != 1 || rt.HostPorts[0] != 2049 {
		t.Errorf("machine shape: %+v, %v", rt, err)
	}
	for pd, msg := range map[string]string{"20G:mpath": `primaryDisk "20G:mpath": disk options (mpath) are not supported`, "20GB": `primaryDisk: disk size "20GB"`, ":4k": `primaryDisk ":4k": disk options (4k)`} {
		_, err := Test{Name: "ext.x.b", Executable: "/x/b", Meta: Meta{Exclusive: true, PrimaryDisk: pd}}.Test()
		if err == nil || !strings.Contains(err.Error(), "ext.x.b (/x/b)") || !strings.Contains(err.Error(), msg) {
			t.Errorf("primaryDisk %q: %v", pd, err)
		}
	}
}
