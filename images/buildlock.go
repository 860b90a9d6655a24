package images

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

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
