package debs

import (
	"context"
	"fmt"
	"net/http"
	"sync"
)

// Check asks the mirrors, in order, whether each package's file is still
// there at its lock size (a HEAD request each, nothing downloaded), and
// returns a *FetchError for the first package none of them has. Pool files
// never change under a name, so a file of the pinned size at the pinned
// path is the pinned file: this is how CI notices a lock that can no
// longer be built while every package still sits in its cache.
func (f *Fetcher) Check(ctx context.Context, pkgs []Package) error {
	mirrors := f.Mirrors
	if len(mirrors) == 0 {
		var err error
		if mirrors, err = DefaultMirrors(ctx); err != nil {
			return err
		}
	}
	client := f.Client
	if client == nil {
		client = defaultClient
	}
	parallel := f.Parallel
	if parallel <= 0 {
		parallel = 8
	}
	errs := make([]error, len(pkgs))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, p := range pkgs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = f.checkOne(ctx, client, mirrors, p)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (f *Fetcher) checkOne(ctx context.Context, client *http.Client, mirrors []string, p Package) error {
	var attempts []Attempt
	for _, m := range mirrors {
		u := m + "/" + p.Filename
		err := head(ctx, client, u, p.Size)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("check %s at %s: %w", p, u, ctx.Err())
		}
		attempts = append(attempts, Attempt{URL: u, Err: err})
	}
	return &FetchError{Lock: f.Lock, Package: p, Attempts: attempts, Refresh: f.Refresh}
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
