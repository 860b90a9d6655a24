package runner

import (
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/platform/platformtest"
	"github.com/strata-os/strata/core/register"
)

// report.html: a row per test with its status, the log and each
// machine's console a click away, no outside resource, and a timeline.
func TestReportHTML(t *testing.T) {
	e := newEnv(t, platformtest.Options{
		Console: func(m *platformtest.Machine) string { return "[ 0.1] booting <" + m.Cluster + ">\n[ 0.2] up\n" },
	})
	e.add(t,
		register.Test{Name: "t.pass", ClusterSize: 2, Run: func(c cluster.TestCluster) { c.Log("did the thing") }},
		register.Test{Name: "t.fail", ClusterSize: 1, Run: func(c cluster.TestCluster) { c.Fatal("it <broke>") }},
		register.Test{Name: "t.skip", Run: func(c cluster.TestCluster) { c.Skip("not here") }},
	)
	rep, err, _ := e.run(t, context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(rep.Dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{
		"<title>kola fake — 1 passed, 1 failed, 1 skipped, 0 errors</title>",
		`<tr id="t.pass">`, `<span class="status pass">PASS</span>`, `<span class="status fail">FAIL</span>`, `<span class="status skip">SKIP</span>`,
		"it &lt;broke&gt;",              // escaped
		"booting &lt;t.pass&gt;",        // a console's tail, escaped
		"did the thing",                 // the test's log
		`href="t.pass/`,                 // the whole console beside it
		`class="bar boot" style="left:`, // the timeline
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// The machines' timeline: a row per machine, with the test it was
	// in and its times, as report.json has them.
	if n := strings.Count(page, `<td class="machine"><a href="#t.pass">t.pass</a></td>`); n != 2 {
		t.Errorf("%d machine rows of t.pass, want 2", n)
	}
	for _, tr := range rep.Tests {
		if want := map[string]int{"t.pass": 2, "t.fail": 1}[tr.Name]; len(tr.Machines) != want {
			t.Errorf("%s: %d machine spans in report.json, want %d", tr.Name, len(tr.Machines), want)
		}
		for _, m := range tr.Machines {
			if m.ID == "" || m.ReadySeconds <= 0 || m.EndSeconds < m.ReadySeconds || m.Start.Before(rep.Started) {
				t.Errorf("%s: machine span %+v", tr.Name, m)
			}
		}
	}
	if !strings.Contains(page, `<details class="log" open><summary>fake-`) {
		t.Error("a failed test's console is not open")
	}
	if n := strings.Count(page, `<details class="log"`); n != 3 {
		t.Errorf("%d machine logs, want 3 consoles (2 + 1)", n)
	}
	screenshot(t, filepath.Join(rep.Dir, "report.html"))
	// Nothing from the network: no script, no external style or image.
	if regexp.MustCompile(`(?i)<script|<link|src=|url\(|https?://`).MatchString(page) {
		t.Errorf("report.html reaches outside itself:\n%s", page)
	}
}

// screenshot renders report.html in headless Chromium (Debian's
// package) and checks the picture shows the table (the status colours of
// its rows) and an open console (its grey block); the PNG is kept as an
// artifact (Bazel's undeclared outputs, or STRATA_ARTIFACTS).
func screenshot(t *testing.T, page string) {
	t.Helper()
	browser, err := exec.LookPath("chromium")
	if err != nil {
		t.Log("chromium is not installed: report.html not rendered")
		return
	}
	dir := os.Getenv("TEST_UNDECLARED_OUTPUTS_DIR")
	if dir == "" {
		dir = os.Getenv("STRATA_ARTIFACTS")
	}
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, "report-html.png")
	profile := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--user-data-dir="+profile, "--window-size=1200,900", "--screenshot="+shot, "file://"+page)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("the screenshot %s: %v", shot, err)
	}
	count := map[[3]uint8]int{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			count[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}]++
		}
	}
	for name, c := range map[string][3]uint8{
		"PASS badge (#d8f0d8)":      {0xd8, 0xf0, 0xd8},
		"FAIL badge (#f6d0d0)":      {0xf6, 0xd0, 0xd0},
		"table header (#f4f4f4)":    {0xf4, 0xf4, 0xf4},
		"an open console (#f7f7f7)": {0xf7, 0xf7, 0xf7},
	} {
		if count[c] < 100 {
			t.Errorf("the screenshot %s shows no %s (%d pixels)", shot, name, count[c])
		}
	}
	t.Logf("report.html rendered: %s", shot)
}
