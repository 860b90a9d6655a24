package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/strata-os/strata/core/platform"
)

type pruneCmd struct {
	Channel string `required:"" placeholder:"NAME" help:"Channel whose older releases go."`
	Arch    string `default:"amd64" enum:"amd64,arm64" help:"Architecture whose current release is kept (${enum})."`
	Keep    int    `required:"" placeholder:"N" help:"How many of the newest releases to keep (the current one is kept besides)."`
	DryRun  bool   `name:"dry-run" help:"Say what would be deleted, delete nothing."`
}

// Run deletes, on every cloud, the images of the channel's releases but
// the newest --keep and the one its current index names.
func (p *pruneCmd) Run(a *app, c *cli) error {
	if p.Keep < 1 {
		return platform.Usagef("--keep %d: keep at least 1 release", p.Keep)
	}
	if !channelName.MatchString(p.Channel) {
		return platform.Usagef("--channel %q: want lower-case letters, digits and dashes", p.Channel)
	}
	ctx, stop := a.context()
	defer stop()
	pubs, err := c.publishers(a, ctx)
	if err != nil {
		return err
	}
	for _, pub := range pubs {
		// The current release is the one the cloud's current manifest
		// names; a cloud without a bucket keeps the newest only.
		var cur manifest
		if st := pub.Store(); st != nil {
			current := release{Channel: p.Channel, Arch: p.Arch}.current() + manifestName
			var err error
			cur, err = readManifest(ctx, st, current)
			switch {
			case errors.Is(err, errNotFound):
				cur.Version = ""
			case err != nil:
				return interrupted(ctx, err)
			}
		}
		arts, err := pub.Releases(ctx, p.Channel)
		if err != nil {
			return interrupted(ctx, err)
		}
		seen := map[string]bool{}
		var versions []string
		for _, art := range arts {
			if !seen[art.Version] {
				seen[art.Version] = true
				versions = append(versions, art.Version)
			}
		}
		versionsNewestFirst(versions)
		var kept, gone []string
		for i, v := range versions {
			if i < p.Keep || v == cur.Version {
				kept = append(kept, v)
			} else {
				gone = append(gone, v)
			}
		}
		verb := "deleting"
		if p.DryRun {
			verb = "would delete"
		}
		for _, v := range gone {
			a.step(pub.Name(), "", fmt.Sprintf("%s %s %s", verb, p.Channel, v))
			if p.DryRun {
				continue
			}
			if err := pub.Remove(ctx, release{Version: v, Channel: p.Channel, Arch: p.Arch}); err != nil {
				return interrupted(ctx, fmt.Errorf("prune %s on %s: %w", p.Channel, pub.Name(), err))
			}
		}
		what := "deleted"
		if p.DryRun {
			what = "would delete"
		}
		fmt.Fprintf(a.stdout, "plume: %s %s: kept %s; %s %s\n", pub.Name(), p.Channel, listOrNone(kept), what, listOrNone(gone))
	}
	return nil
}

func listOrNone(vs []string) string {
	if len(vs) == 0 {
		return "none"
	}
	return strings.Join(vs, ", ")
}
