package runner

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// Runs starting in the same second, at once, each get a directory of
// their own, and the latest link names one of them.
func TestMakeOutputDirAtOnce(t *testing.T) {
	root := t.TempDir()
	now := time.Date(2026, 12, 3, 17, 0, 0, 0, time.UTC)
	const n = 16
	dirs := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dirs[i], errs[i] = MakeOutputDir(root, "qemu", now)
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Errorf("run %d: %v", i, errs[i])
			continue
		}
		if seen[dirs[i]] {
			t.Errorf("two runs got %s", dirs[i])
		}
		seen[dirs[i]] = true
	}
	latest, err := os.Readlink(filepath.Join(root, "qemu-latest"))
	if err != nil || !seen[filepath.Join(root, latest)] {
		t.Errorf("qemu-latest -> %q (%v), not one of the runs'", latest, err)
	}
	if left, _ := filepath.Glob(filepath.Join(root, "*.tmp*")); len(left) != 0 {
		t.Errorf("links left: %v", left)
	}
}
