package main

import (
	"fmt"
	"strings"
)

// releaseArgs name the release a stage works on.
type releaseArgs struct {
	Version string `required:"" placeholder:"X.Y.Z" help:"Version of the release."`
	Channel string `required:"" placeholder:"NAME" help:"Channel of the release (stable, beta, alpha, lts, ...)."`
	Arch    string `default:"amd64" enum:"amd64,arm64" help:"Architecture of its images (${enum})."`
}

func (r releaseArgs) release() release {
	return release{Version: r.Version, Channel: r.Channel, Arch: r.Arch}
}

type preReleaseCmd struct {
	releaseArgs `embed:""`
	ImageDir    string `name:"image-dir" type:"path" placeholder:"DIR" help:"Directory of the release's images, one per cloud (aws.raw, aws.vmdk or aws.vhd)."`
}

// Run makes each cloud's images of the release, private, and says what
// each has.
func (p *preReleaseCmd) Run(a *app, c *cli) error {
	r := p.release()
	if err := r.validate(); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	pubs, err := c.publishers(a, ctx)
	if err != nil {
		return err
	}
	var summary []string
	for _, pub := range pubs {
		arts, err := pub.PreRelease(ctx, r, p.ImageDir, func(where, what string) { a.step(pub.Name(), where, what) })
		if err != nil {
			return interrupted(ctx, fmt.Errorf("pre-release %s %s on %s: %w", r.Channel, r.Version, pub.Name(), err))
		}
		for _, art := range arts {
			summary = append(summary, fmt.Sprintf("  %s: %s (%s)", where(pub.Name(), art.Region), art.ID, art.Name))
		}
	}
	fmt.Fprintf(a.stdout, "plume: pre-released %s %s (%s), not public yet:\n%s\n", r.Channel, r.Version, r.Arch, strings.Join(summary, "\n"))
	return nil
}
