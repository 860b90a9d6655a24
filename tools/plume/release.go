package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

type releaseCmd struct {
	releaseArgs `embed:""`
}

// Run makes the release's images public on every cloud, then writes its
// manifest and each cloud's indexes into the release's directory of each
// cloud's release bucket, and into the channel's current directory unless
// a newer release is current there.
func (rc *releaseCmd) Run(a *app, c *cli) error {
	r := rc.release()
	if err := r.validate(); err != nil {
		return err
	}
	ctx, stop := a.context()
	defer stop()
	pubs, err := c.publishers(a, ctx)
	if err != nil {
		return err
	}
	m := manifest{Version: r.Version, Channel: r.Channel, Arch: r.Arch, Released: time.Now().UTC(), Clouds: map[string][]artifact{}}
	published := map[string][]artifact{}
	for _, pub := range pubs {
		arts, err := pub.Publish(ctx, r, func(where, what string) { a.step(pub.Name(), where, what) })
		if err != nil {
			return interrupted(ctx, fmt.Errorf("release %s %s on %s: %w", r.Channel, r.Version, pub.Name(), err))
		}
		published[pub.Name()] = arts
		m.Clouds[pub.Name()] = arts
	}
	for _, pub := range pubs {
		if err := writeRelease(ctx, a, pub, r, m, published[pub.Name()]); err != nil {
			return interrupted(ctx, fmt.Errorf("release %s %s on %s: %w", r.Channel, r.Version, pub.Name(), err))
		}
	}
	var lines []string
	for _, cloud := range sortedKeys(m.Clouds) {
		for _, art := range m.Clouds[cloud] {
			lines = append(lines, fmt.Sprintf("  %s: %s", where(cloud, art.Region), art.ID))
		}
	}
	fmt.Fprintf(a.stdout, "plume: released %s %s (%s):\n%s\n", r.Channel, r.Version, r.Arch, strings.Join(lines, "\n"))
	return nil
}

// writeRelease writes the manifest and pub's indexes under the release's
// directory, then under current when the release is not older than the
// current one. A manifest already there for the version keeps its
// release time, so running release again writes the same files.
func writeRelease(ctx context.Context, a *app, pub publisher, r release, m manifest, arts []artifact) error {
	st := pub.Store()
	if st == nil {
		return nil
	}
	if old, err := readManifest(ctx, st, r.dir()+manifestName); err == nil && old.Version == m.Version {
		m.Released = old.Released
	} else if err != nil && !errors.Is(err, errNotFound) {
		return err
	}
	files, err := pub.Indexes(arts)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	files[manifestName] = append(data, '\n')
	dirs := []string{r.dir()}
	cur, err := readManifest(ctx, st, r.current()+manifestName)
	switch {
	case errors.Is(err, errNotFound) || err == nil && !newer(cur.Version, r.Version):
		dirs = append(dirs, r.current())
	case err != nil:
		return err
	default:
		a.step(pub.Name(), "", fmt.Sprintf("%s stays current: it is newer than %s", cur.Version, r.Version))
	}
	for _, dir := range dirs {
		for _, name := range sortedKeys(files) {
			if err := st.Put(ctx, dir+name, files[name], "application/json"); err != nil {
				return err
			}
		}
		a.step(pub.Name(), "", fmt.Sprintf("wrote %s/%s{%s}", st.URL(), dir, strings.Join(sortedKeys(files), ",")))
	}
	return nil
}

// readManifest reads a manifest; a missing one is errNotFound.
func readManifest(ctx context.Context, st store, key string) (manifest, error) {
	var m manifest
	data, err := st.Get(ctx, key)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("%s/%s: not a release manifest: %w", st.URL(), key, err)
	}
	return m, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
