package esx

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/esx/api"
)

// How strata marks its virtual machines: the annotation (the VM's notes)
// starts with MarkPrefix, then when it was made and its path
// FLIGHT/CLUSTER/MACHINE.
const MarkPrefix = "strata:"

// mark is a machine's annotation.
func mark(made time.Time, path string) string {
	return fmt.Sprintf("%s created-at=%s path=%s", MarkPrefix, made.UTC().Format(time.RFC3339), path)
}

// parseMark reads an annotation strata wrote; ok is false for any other.
func parseMark(annotation string) (made time.Time, path string, ok bool) {
	rest, ok := strings.CutPrefix(annotation, MarkPrefix)
	if !ok {
		return time.Time{}, "", false
	}
	for field := range strings.FieldsSeq(rest) {
		k, v, _ := strings.Cut(field, "=")
		switch k {
		case "created-at":
			made, _ = time.Parse(time.RFC3339, v)
		case "path":
			path = v
		}
	}
	return made, path, !made.IsZero() && path != ""
}

type flight struct {
	*platform.BaseFlight
	flags Flags
	api   *api.Client
	path  string // the flight's part of every machine's path
	sim   bool
}

// cleanupTimeout bounds deleting what a failed create made, and the
// flight's machines, which goes on after the caller's context is
// cancelled.
const cleanupTimeout = 10 * time.Minute

// NewFlight validates the flags, signs in and finds the template.
func NewFlight(ctx context.Context, f Flags, opts platform.FlightOptions) (platform.Flight, error) {
	return newFlight(ctx, f, opts, nil)
}

// newFlight lets tests tune the API client (fast retries).
func newFlight(ctx context.Context, f Flags, opts platform.FlightOptions, tune func(*api.Options)) (platform.Flight, error) {
	if err := f.validate(); err != nil {
		return nil, err
	}
	if opts.Arch != "" && opts.Arch != "amd64" {
		return nil, platform.Usagef("esx: architecture %s is not supported (amd64)", opts.Arch)
	}
	base, err := platform.NewBaseFlight("esx", opts)
	if err != nil {
		return nil, err
	}
	placement := api.Options{ResourcePool: f.ResourcePool, Datastore: f.Datastore, Folder: f.Folder, Network: f.Network}
	if tune != nil {
		tune(&placement)
	}
	client, err := Connect(ctx, f.Account, placement, base.Logger())
	if err != nil {
		return nil, err
	}
	if err := client.CheckTemplate(ctx, f.Template); err != nil {
		client.Close(context.WithoutCancel(ctx))
		err = fmt.Errorf("esx: --esx-template %q: %w", f.Template, err)
		if api.IsTerminal(err) {
			return nil, platform.Usage(err)
		}
		return nil, platform.Infra("find the template", err)
	}
	fl := &flight{BaseFlight: base, flags: f, api: client, path: cloud.Slug(base.Name(), 40) + "-" + strings.ToLower(rand.Text()[:6]), sim: client.Simulated(ctx)}
	base.Logger().Info("esx flight", "template", f.Template, "path", fl.path)
	return fl, nil
}

// Destroy destroys the clusters, then any machine of the flight (a
// create cut short), and ends the session.
func (f *flight) Destroy(ctx context.Context) error {
	err := f.BaseFlight.Destroy(ctx)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	if serr := sweep(ctx, f.api, f.path+"/"); serr != nil {
		err = errors.Join(err, serr)
	}
	f.api.Close(ctx)
	return err
}

func (f *flight) NewCluster(ctx context.Context, opts platform.ClusterOptions) (platform.Cluster, error) {
	if err := platform.RefuseAdditionalDisks("esx", opts); err != nil {
		return nil, err
	}
	c := &cluster{BaseCluster: platform.NewBaseCluster(f.BaseFlight, opts), flight: f, path: f.path + "/" + strings.ToLower(rand.Text()[:6])}
	f.Track(c)
	return c, nil
}

// sweep destroys every machine whose path starts with prefix.
func sweep(ctx context.Context, c *api.Client, prefix string) error {
	vms, err := c.VMs(ctx, MarkPrefix)
	if err != nil {
		return fmt.Errorf("esx: %w", err)
	}
	var errs []error
	for _, vm := range vms {
		if _, path, ok := parseMark(vm.Annotation); ok && strings.HasPrefix(path, prefix) && !vm.Template {
			if err := c.Destroy(ctx, vm.Ref); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("esx: %w", err)
	}
	return nil
}
