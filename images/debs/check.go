package debs

import (
	"context"
	"fmt"
	"net/http"
)

// Check asks the mirrors, in order, whether each package's file is still
// there at its lock size (a HEAD request each, nothing downloaded), and
// returns a *FetchError for a package none of them has. Pool files
// never change under a name, so a file of the pinned size at the pinned
// path is the pinned file: this is how CI notices a lock that can no
// longer be built while every package still sits in its cache.
func (f *Fetcher) Check(ctx context.Context, pkgs []Package) error {
	mirrors, client, err := f.mirrorsAndClient(ctx)
	if err != nil {
		return err
	}
	return f.each(ctx, pkgs, 8, func(ctx context.Context, p Package) error {
		return f.fromMirrors(ctx, mirrors, p, 1, func(ctx context.Context, u string) error { return head(ctx, client, u, p.Size) })
	})
}

func head(ctx context.Context, client *http.Client, u string, size int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return statusError{resp.StatusCode}
	}
	if resp.ContentLength >= 0 && resp.ContentLength != size {
		return fmt.Errorf("%w: the mirror has %d bytes, the lock says %d", ErrSizeMismatch, resp.ContentLength, size)
	}
	return nil
}
