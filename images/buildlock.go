package images

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// cachedOrLocked returns the image cached in dir, or else holds dir's
// build lock (unlock lets it go) once no other run has built it
// meanwhile: the caller builds it.
func cachedOrLocked(ctx context.Context, dir string, log *slog.Logger) (img *Image, unlock func(), err error) {
	if img, ok := cached(dir); ok {
		return img, nil, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, nil, err
	}
	if unlock, err = lockBuild(ctx, dir, log); err != nil {
		return nil, nil, err
	}
	if img, ok := cached(dir); ok { // another run built it meanwhile
		unlock()
		return img, nil, nil
	}
	return nil, unlock, nil
}

// lockBuild holds an exclusive lock on DIR.lock while an image is built
// into DIR, so that two runs starting at once (two kola runs, a kola
// spawn, a go test beside them) build it once: the second waits here,
// then finds it cached. The lock is flock(2)'s: the kernel drops it when
// its holder dies, so a killed build never leaves the image locked.
func lockBuild(ctx context.Context, dir string, log *slog.Logger) (unlock func(), err error) {
	f, err := os.OpenFile(dir+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("image build lock: %w", err)
	}
	said := false
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil // closing drops the lock
		}
		if err != unix.EWOULDBLOCK && err != unix.EINTR {
			f.Close()
			return nil, fmt.Errorf("image build lock %s: %w", f.Name(), err)
		}
		if !said && log != nil {
			log.Info("waiting for another build of the image", "dir", dir)
			said = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another build of %s: %w", dir, context.Cause(ctx))
		case <-time.After(100 * time.Millisecond):
		}
	}
}
