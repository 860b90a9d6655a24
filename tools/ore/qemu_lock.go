package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/images/debs"
)

type qemuUpdateLockCmd struct {
	Name   string   `arg:"" enum:"minimal,debian,ignition,boot" help:"Lock: ${enum} (images/NAME.lock)."`
	Lock   string   `name:"lock" type:"path" placeholder:"FILE" help:"Lock file to rewrite (default: images/NAME.lock of the strata checkout around the working directory)."`
	DryRun bool     `name:"dry-run" help:"Print what would move; write nothing."`
	AptOpt []string `name:"apt-option" placeholder:"KEY=VALUE" hidden:"" help:"Extra apt -o setting (tests point apt at a repository of their own)."`
}

func (u *qemuUpdateLockCmd) Run(a *app, kctx *kong.Context) error {
	if err := refuseFlags(kctx, "a lock is resolved from the host's apt index and fetches nothing", "cache-dir", "debian-mirror"); err != nil {
		return err
	}
	path := u.Lock
	if path == "" {
		var err error
		if path, err = findLock(u.Name); err != nil {
			return platform.Usage(err)
		}
	}
	ctx, cancel := a.context()
	defer cancel()
	res, err := images.UpdateLock(ctx, u.Name, path, debs.Apt{Options: u.AptOpt}, u.DryRun)
	if err != nil {
		return fmt.Errorf("update %s: %w", path, err)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, c := range res.Changes {
		old, new := c.Old, c.New
		if old == "" {
			old = "(new)"
		}
		if new == "" {
			new = "(dropped)"
		}
		fmt.Fprintf(w, "%s\t%s\t→ %s\n", c.Name, old, new)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	verb := "unchanged"
	switch {
	case u.DryRun:
		verb = "dry run, not written"
	case res.Written:
		verb = "rewritten"
	}
	fmt.Fprintf(a.stdout, "%s: %d packages, %d changed (%s)\n", path, len(res.Packages), len(res.Changes), verb)
	return nil
}

// findLock finds images/<name>.lock in the strata checkout: the workspace
// `bazel run` was started in, else the nearest directory above the
// working directory that holds go.work and the lock.
func findLock(name string) (string, error) {
	rel := filepath.Join("images", name+".lock")
	if ws := os.Getenv("BUILD_WORKSPACE_DIRECTORY"); ws != "" {
		return filepath.Join(ws, rel), nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
				return filepath.Join(dir, rel), nil
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no " + rel + " in a strata checkout above the working directory: run from the checkout or pass --lock FILE")
		}
		dir = parent
	}
}
