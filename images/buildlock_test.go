package images

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// A second build of one image waits for the first (the lock is taken
// through its own open file, as another process's would be), and a wait
// ends with its context.
func TestLockBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "minimal-0123")
	ctx := context.Background()
	unlock, err := lockBuild(ctx, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Time)
	go func() {
		u, err := lockBuild(ctx, dir, nil)
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- time.Now()
		u()
	}()
	time.Sleep(300 * time.Millisecond)
	released := time.Now()
	unlock()
	if at := <-got; at.Before(released) {
		t.Errorf("the second build got the lock at %v, before the first let go at %v", at, released)
	}
	unlock, _ = lockBuild(ctx, dir, nil)
	defer unlock()
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, err := lockBuild(short, dir, nil); err == nil {
		t.Error("a wait on a held lock did not end with its context")
	}
}
