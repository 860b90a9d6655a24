package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/strata-os/strata/images"
)

type qemuCmd struct {
	CacheDir string `name:"cache-dir" type:"path" placeholder:"DIR" help:"Image cache (default \\$STRATA_CACHE, else ~/.cache/strata)."`

	BuildImage qemuBuildImageCmd `cmd:"" help:"Build an image from its pinned packages, or find it in the cache; print where it is."`
	ListImages qemuListImagesCmd `cmd:"" help:"List the images in the cache."`
}

func (q *qemuCmd) cacheDir() (string, error) {
	if q.CacheDir != "" {
		return q.CacheDir, nil
	}
	return images.DefaultCacheDir()
}

type qemuBuildImageCmd struct {
	Name  string `arg:"" enum:"minimal,debian,baseline" help:"Image: ${enum}."`
	Agent string `type:"path" placeholder:"PATH" help:"The static strata-init for the minimal image (default: strata-init next to ore)."`
	JSON  bool   `name:"json" help:"Print the image's description as JSON."`
}

func (b *qemuBuildImageCmd) Run(a *app, q *qemuCmd) error {
	cache, err := q.cacheDir()
	if err != nil {
		return err
	}
	agent := b.Agent
	if b.Name == "minimal" {
		if agent == "" {
			if exe, err := os.Executable(); err == nil {
				agent = filepath.Join(filepath.Dir(exe), "strata-init")
			}
		}
		if _, err := os.Stat(agent); err != nil {
			return usageError{fmt.Errorf("image minimal needs the strata-init agent: %s not found (pass --agent; ./ci/run.sh builds it into bin/)", agent)}
		}
	}
	img, err := images.Build(context.Background(), b.Name, images.Options{CacheDir: cache, Agent: agent, Logger: a.log})
	if err != nil {
		return fmt.Errorf("build image %s: %w", b.Name, err)
	}
	if b.JSON {
		return writeJSON(a, img)
	}
	fmt.Fprintln(a.stdout, img.Dir)
	return nil
}

type qemuListImagesCmd struct {
	JSON bool `name:"json" help:"Print JSON: a list of image descriptions."`
}

func (l *qemuListImagesCmd) Run(a *app, q *qemuCmd) error {
	cache, err := q.cacheDir()
	if err != nil {
		return err
	}
	imgs, err := images.List(cache)
	if err != nil {
		return err
	}
	if l.JSON {
		return writeList(a, imgs)
	}
	w := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tKERNEL\tDISK\tDIR")
	for _, img := range imgs {
		disk := "-"
		if img.Disk != "" {
			disk = filepath.Base(img.Disk)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", img.Name, img.KernelRelease, disk, img.Dir)
	}
	return w.Flush()
}

// imageJSON is an image as ore prints it: with its directory, which
// images.Image leaves out of its own image.json.
type imageJSON struct {
	*images.Image
	Dir string `json:"dir"`
}

func writeJSON(a *app, v any) error {
	switch x := v.(type) {
	case *images.Image:
		v = imageJSON{x, x.Dir}
	case []*images.Image:
		out := make([]imageJSON, len(x))
		for i, img := range x {
			out[i] = imageJSON{img, img.Dir}
		}
		v = out
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
