package api

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/digitalocean/godo"
)

// Droplet is what strata needs to know of a droplet.
type Droplet struct {
	ID                  int
	Name, Status        string
	PublicIP, PrivateIP string
	Tags                []string
	Created             time.Time
	// Simulated says strata's simulator made it (its features say so):
	// it never boots.
	Simulated bool
}

// UserDataMax is DigitalOcean's limit on a droplet's user data.
const UserDataMax = 64 << 10

// simulatorFeature is the feature strata's simulator gives its droplets.
const simulatorFeature = "strata_simulated"

func dropletOf(d *godo.Droplet) Droplet {
	out := Droplet{ID: d.ID, Name: d.Name, Status: d.Status, Tags: d.Tags, Simulated: slices.Contains(d.Features, simulatorFeature)}
	out.PublicIP, _ = d.PublicIPv4()
	out.PrivateIP, _ = d.PrivateIPv4()
	out.Created, _ = time.Parse(time.RFC3339, d.Created)
	return out
}

// DropletSpec is a droplet to make.
type DropletSpec struct {
	Name, Region, Size string
	// Image is a slug ("ubuntu-24-04-x64") or an image ID (digits).
	Image    string
	SSHKeyID int
	UserData string
	// Tags are the droplet's; the last is its own, which no other
	// droplet has: a create that failed is looked for by it before it
	// is tried again.
	Tags []string
}

// CreateDroplet asks for a droplet; it is "new" until it is up. A create
// that was throttled or failed is tried again, after looking for the
// droplet by its own tag: DigitalOcean may have made it and lost the
// answer, and a droplet create is not idempotent.
func (c *Client) CreateDroplet(ctx context.Context, s DropletSpec) (Droplet, error) {
	if len(s.Tags) == 0 {
		return Droplet{}, fmt.Errorf("create droplet %s: no tag of its own to find it by", s.Name)
	}
	own := s.Tags[len(s.Tags)-1]
	wait := c.opts.RetryWaitMin
	for attempt := 0; ; attempt++ {
		d, err := c.createOnce(ctx, s)
		if err == nil || IsTerminal(err) || attempt >= c.opts.MaxRetries || ctx.Err() != nil {
			return d, err
		}
		if found, lerr := c.Droplets(ctx, own); lerr == nil && len(found) > 0 {
			return found[0], nil
		}
		select {
		case <-ctx.Done():
			return Droplet{}, err
		case <-time.After(wait):
		}
		wait = min(2*wait, c.opts.RetryWaitMax)
	}
}

func (c *Client) createOnce(ctx context.Context, s DropletSpec) (Droplet, error) {
	img := godo.DropletCreateImage{Slug: s.Image}
	if id, err := strconv.Atoi(s.Image); err == nil {
		img = godo.DropletCreateImage{ID: id}
	}
	req := &godo.DropletCreateRequest{Name: s.Name, Region: s.Region, Size: s.Size, Image: img, UserData: s.UserData, Tags: s.Tags}
	if s.SSHKeyID != 0 {
		req.SSHKeys = []godo.DropletCreateSSHKey{{ID: s.SSHKeyID}}
	}
	d, _, err := c.once.Droplets.Create(ctx, req)
	if err != nil {
		return Droplet{}, wrap("create droplet "+s.Name, err)
	}
	return dropletOf(d), nil
}

// Droplet reads a droplet.
func (c *Client) Droplet(ctx context.Context, id int) (Droplet, error) {
	d, _, err := c.godo.Droplets.Get(ctx, id)
	if err != nil {
		return Droplet{}, wrap(fmt.Sprintf("droplet %d", id), err)
	}
	return dropletOf(d), nil
}

// Droplets lists the droplets with a tag.
func (c *Client) Droplets(ctx context.Context, tag string) ([]Droplet, error) {
	ds, err := all(ctx, "list droplets tagged "+tag, func(o *godo.ListOptions) ([]godo.Droplet, *godo.Response, error) {
		return c.godo.Droplets.ListByTag(ctx, tag, o)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Droplet, 0, len(ds))
	for i := range ds {
		out = append(out, dropletOf(&ds[i]))
	}
	return out, nil
}

// DeleteDroplet deletes a droplet; one that is not there is no error.
func (c *Client) DeleteDroplet(ctx context.Context, id int) error {
	_, err := c.godo.Droplets.Delete(ctx, id)
	if err = wrap(fmt.Sprintf("delete droplet %d", id), err); IsNotFound(err) {
		return nil
	}
	return err
}

// DeleteDropletsByTag deletes every droplet with the tag. A tag no
// droplet ever had may not exist at all: that is no error either.
func (c *Client) DeleteDropletsByTag(ctx context.Context, tag string) error {
	_, err := c.godo.Droplets.DeleteByTag(ctx, tag)
	if err = wrap("delete droplets tagged "+tag, err); IsNotFound(err) {
		return nil
	}
	return err
}
