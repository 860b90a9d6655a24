package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/aws"
	"github.com/strata-os/strata/providers/aws/sim"
	"github.com/strata-os/strata/tools/internal/syncbuf"
)

var regions = []string{"us-east-1", "us-west-2", "eu-west-1"}

// awsEnv is a simulated AWS account and plume's flags for it.
type awsEnv struct {
	cloud    *sim.Cloud
	url      string
	imageDir string
}

func newAWSEnv(t *testing.T) *awsEnv {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "sim")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "sim")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	c := sim.NewCloud(sim.Options{PendingDescribes: 3})
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "aws.raw"), make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	return &awsEnv{cloud: c, url: srv.URL, imageDir: dir}
}

func (e *awsEnv) flags(args ...string) []string {
	return append([]string{"--aws-endpoint", e.url, "--aws-regions", strings.Join(regions, ","),
		"--aws-release-bucket", "releases", "--aws-poll", "1ms"}, args...)
}

// plume runs plume in-process; onStep (if set) sees each progress line
// with the run's cancel, to interrupt it there.
func plume(t *testing.T, onStep func(line string, cancel func()), args ...string) (int, string, string) {
	t.Helper()
	return plumeIn(t, context.Background(), onStep, args...)
}

// plumeIn is plume under ctx (a test cancels it to interrupt the run).
func plumeIn(t *testing.T, ctx context.Context, onStep func(line string, cancel func()), args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stdout, stderr syncbuf.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, ctx: ctx}
	if onStep != nil {
		a.onStep = func(line string) { onStep(line, cancel) }
	}
	code := a.main(args)
	return code, stdout.String(), stderr.String()
}

// releaseImages are the sim's AMIs of a release in each region.
func (e *awsEnv) releaseImages(version string) map[string][]sim.Image {
	out := map[string][]sim.Image{}
	for _, r := range regions {
		for _, im := range e.cloud.Region(r).Images() {
			if im.Tags[aws.VersionTag] == version {
				out[r] = append(out[r], im)
			}
		}
	}
	return out
}

// resolve is what kola --aws-ami CHANNEL --aws-release-url makes of the
// published index.
func (e *awsEnv) resolve(t *testing.T, region string) (string, error) {
	t.Helper()
	return aws.ResolveAMI(context.Background(), "stable", region, e.url+"/releases/{channel}/{arch}-usr/current/strata_production_ami_all.json", "amd64")
}

// The release as the issue tells it, on the simulated AWS: pre-release
// interrupted twice (during the import, and during the copies) and run
// again finishes with one AMI per region and one import; release makes
// them public and publishes the index kola resolves; a newer release
// becomes current, an older one released later does not; prune keeps
// the newest and the current; index makes the bucket browsable.
func TestReleaseScenarioAWS(t *testing.T) {
	e := newAWSEnv(t)
	pre := func(version string) []string {
		return e.flags("pre-release", "--version", version, "--channel", "stable", "--image-dir", e.imageDir)
	}

	// Interrupted while EC2 imports the disk.
	var once sync.Once
	code, _, stderr := plume(t, func(line string, cancel func()) {
		if strings.Contains(line, "us-east-1: importing") {
			go func() {
				for len(e.cloud.Region("us-east-1").ImportTasks()) == 0 {
					time.Sleep(time.Millisecond)
				}
				once.Do(cancel)
			}()
		}
	}, pre("1.0.0")...)
	if code != 130 || !strings.Contains(stderr, "interrupted; run the same command again to finish") {
		t.Fatalf("interrupted pre-release: exit %d\n%s", code, stderr)
	}
	// Interrupted while copying to the second region.
	code, _, stderr = plume(t, func(line string, cancel func()) {
		if strings.Contains(line, "us-west-2: copying") {
			go func() {
				for len(e.cloud.Region("us-west-2").Images()) == 0 {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
		}
	}, pre("1.0.0")...)
	if code != 130 {
		t.Fatalf("second interrupted pre-release: exit %d\n%s", code, stderr)
	}
	code, stdout, stderr := plume(t, nil, pre("1.0.0")...)
	if code != 0 || !strings.Contains(stdout, "pre-released stable 1.0.0 (amd64), not public yet") {
		t.Fatalf("pre-release run again: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stderr, "uploading") || !strings.Contains(stderr, "is there already") {
		t.Errorf("the third attempt uploaded again or did not find the first region's AMI:\n%s", stderr)
	}
	imgs := e.releaseImages("1.0.0")
	for _, r := range regions {
		if len(imgs[r]) != 1 || imgs[r][0].Public || imgs[r][0].Name != "strata-stable-1.0.0-x86_64" {
			t.Errorf("%s: release AMIs %+v, want one, private", r, imgs[r])
		}
		if n := len(e.cloud.Region(r).Snapshots()); n != 1 {
			t.Errorf("%s: %d snapshots, want 1", r, n)
		}
	}
	if n := len(e.cloud.Region("us-east-1").ImportTasks()); n != 1 {
		t.Errorf("%d import tasks, want 1 (the interrupted one taken up again)", n)
	}

	// Nothing is published before the release.
	if _, err := e.resolve(t, "us-west-2"); err == nil {
		t.Error("kola resolved a channel before its release")
	}
	code, stdout, stderr = plume(t, nil, e.flags("release", "--version", "1.0.0", "--channel", "stable")...)
	if code != 0 || !strings.Contains(stdout, "released stable 1.0.0") {
		t.Fatalf("release: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, r := range regions {
		if im := e.releaseImages("1.0.0")[r][0]; !im.Public {
			t.Errorf("%s: %s not public after release", r, im.ID)
		}
	}
	ami, err := e.resolve(t, "us-west-2")
	if err != nil || ami != imgs["us-west-2"][0].ID {
		t.Errorf("kola resolves stable in us-west-2 to %q, %v; want %s", ami, err, imgs["us-west-2"][0].ID)
	}
	manifest1 := e.object(t, "releases", "stable/amd64-usr/1.0.0/strata_production_release.json")
	// Again: the same, nothing new.
	if code, _, stderr := plume(t, nil, e.flags("release", "--version", "1.0.0", "--channel", "stable")...); code != 0 {
		t.Fatalf("release again: exit %d\n%s", code, stderr)
	}
	if again := e.object(t, "releases", "stable/amd64-usr/1.0.0/strata_production_release.json"); again != manifest1 {
		t.Errorf("release run again changed the manifest:\n%s\n%s", manifest1, again)
	}
	for _, want := range []string{`"version": "1.0.0"`, `"region": "eu-west-1"`, imgs["eu-west-1"][0].ID} {
		if !strings.Contains(manifest1, want) {
			t.Errorf("manifest lacks %q:\n%s", want, manifest1)
		}
	}

	// A newer release becomes current; an older one released after it
	// does not.
	for _, v := range []string{"1.1.0", "1.0.5"} {
		if code, _, stderr := plume(t, nil, pre(v)...); code != 0 {
			t.Fatalf("pre-release %s: exit %d\n%s", v, code, stderr)
		}
		code, _, stderr := plume(t, nil, e.flags("release", "--version", v, "--channel", "stable")...)
		if code != 0 {
			t.Fatalf("release %s: exit %d\n%s", v, code, stderr)
		}
		if v == "1.0.5" && !strings.Contains(stderr, "1.1.0 stays current: it is newer than 1.0.5") {
			t.Errorf("releasing an older version:\n%s", stderr)
		}
	}
	if ami, err := e.resolve(t, "eu-west-1"); err != nil || ami != e.releaseImages("1.1.0")["eu-west-1"][0].ID {
		t.Errorf("current after 1.1.0 and 1.0.5: %q, %v", ami, err)
	}
	// 1.2.0 pre-released only: newest, not current.
	if code, _, stderr := plume(t, nil, pre("1.2.0")...); code != 0 {
		t.Fatalf("pre-release 1.2.0: exit %d\n%s", code, stderr)
	}

	code, stdout, _ = plume(t, nil, e.flags("prune", "--channel", "stable", "--keep", "1", "--dry-run")...)
	if code != 0 || !strings.Contains(stdout, "kept 1.2.0, 1.1.0; would delete 1.0.5, 1.0.0") {
		t.Errorf("prune --dry-run: exit %d\n%s", code, stdout)
	}
	if len(e.releaseImages("1.0.0")["us-east-1"]) != 1 {
		t.Error("prune --dry-run deleted")
	}
	code, stdout, stderr = plume(t, nil, e.flags("prune", "--channel", "stable", "--keep", "1")...)
	if code != 0 || !strings.Contains(stdout, "kept 1.2.0, 1.1.0; deleted 1.0.5, 1.0.0") {
		t.Errorf("prune: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, v := range []string{"1.0.0", "1.0.5"} {
		if left := e.releaseImages(v); len(left) != 0 {
			t.Errorf("%s left after prune: %v", v, left)
		}
		if _, ok := e.cloud.S3.Object("releases", "stable/amd64-usr/"+v+"/strata_production_aws.raw"); ok {
			t.Errorf("%s's disk left after prune", v)
		}
	}
	for _, r := range regions {
		if n := len(e.cloud.Region(r).Snapshots()); n != 2 {
			t.Errorf("%s: %d snapshots after prune, want 2 (1.1.0's and 1.2.0's)", r, n)
		}
	}

	// GC never takes a release's images; prune does.
	client, err := aws.Connect(context.Background(), aws.Account{Region: "us-east-1", Endpoint: e.url}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	items, err := aws.GC(context.Background(), client, "", cloud.GCOptions{DryRun: true, OlderThan: time.Nanosecond, Now: func() time.Time { return time.Now().Add(time.Hour) }})
	if err != nil || len(items) != 0 {
		t.Errorf("gc would take %v, %v", items, err)
	}

	code, stdout, _ = plume(t, nil, e.flags("index")...)
	if code != 0 || !strings.Contains(stdout, "index.html objects in s3://releases") {
		t.Fatalf("index: exit %d\n%s", code, stdout)
	}
	root := e.get(t, "/releases/index.html")
	if !strings.Contains(root, `<a href="stable/">stable/</a>`) {
		t.Errorf("root index:\n%s", root)
	}
	if dir := e.get(t, "/releases/stable/amd64-usr/1.1.0/index.html"); !strings.Contains(dir, `<a href="strata_production_ami_all.json">`) || !strings.Contains(dir, `<a href="../">`) {
		t.Errorf("1.1.0's index:\n%s", dir)
	}
}

func (e *awsEnv) object(t *testing.T, bucket, key string) string {
	t.Helper()
	return e.get(t, "/"+bucket+"/"+key)
}

// get reads an object anonymously over HTTP, as kola and browsers do.
func (e *awsEnv) get(t *testing.T, path string) string {
	t.Helper()
	resp, err := http.Get(e.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s: %s", path, resp.Status, b)
	}
	return string(b)
}

// Bad input is refused before any call, naming the flag.
func TestUsage(t *testing.T) {
	e := newAWSEnv(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"pre-release", "--version", "1.0.0", "--channel", "stable"}, 2, "no cloud to work on"},
		{e.flags("pre-release", "--version", "one", "--channel", "stable"), 2, `--version "one": want a version like 4081.2.0`},
		{e.flags("pre-release", "--version", "1.0.0", "--channel", "Stable"), 2, `--channel "Stable"`},
		{e.flags("pre-release", "--version", "1.0.0", "--channel", "stable"), 2, "give --image-dir"},
		{e.flags("pre-release", "--version", "1.0.0", "--channel", "stable", "--image-dir", t.TempDir()), 2, "no aws.raw, aws.vmdk or aws.vhd in --image-dir"},
		{e.flags("release", "--version", "9.9.9", "--channel", "stable"), 1, "has 0 AMIs in us-east-1, want 1: run plume pre-release first"},
		{e.flags("prune", "--channel", "stable", "--keep", "0"), 2, "--keep 0: keep at least 1 release"},
		{e.flags("--platform", "vsphere", "index"), 2, "--platform vsphere: not a cloud plume releases on"},
		{e.flags("--platform", "azure", "index"), 2, "azure: --azure-resource-group is required"},
		{e.flags("--platform", "gce", "index"), 2, "gce: --gce-release-bucket is required"},
	} {
		code, _, stderr := plume(t, nil, tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("plume %v: exit %d, %q; want %d and %q", tc.args, code, stderr, tc.code, tc.want)
		}
	}
}

// Release tags carry no architecture: pre-releasing a second one on a
// channel and version is refused, naming the AMI that is there, rather
// than taken as done.
func TestSecondArchitectureRefused(t *testing.T) {
	e := newAWSEnv(t)
	pre := func(arch string) (int, string) {
		code, _, stderr := plume(t, nil, e.flags("pre-release", "--version", "2.0.0", "--channel", "beta", "--arch", arch, "--image-dir", e.imageDir)...)
		return code, stderr
	}
	if code, stderr := pre("amd64"); code != 0 {
		t.Fatalf("pre-release amd64: exit %d\n%s", code, stderr)
	}
	if code, stderr := pre("arm64"); code != 1 || !strings.Contains(stderr, "is x86_64, not arm64: one architecture per channel and version") {
		t.Errorf("pre-release arm64 on the same channel and version: exit %d\n%s", code, stderr)
	}
}
