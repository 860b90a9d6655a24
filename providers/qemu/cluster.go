package qemu

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/qemu/vm"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
	dir    string // temporary files: sockets, keys, userdata, disks

	mu     sync.Mutex
	hub    *vm.Hub // the private network
	count  int
	closed bool
	kept   []string // IDs of the machines kept (Keep)
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (c *cluster) NewMachine(ctx context.Context, ud *conf.UserData) (platform.Machine, error) {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil, errors.New("qemu: cluster destroyed")
	}
	c.count++
	index := c.count
	if c.hub == nil {
		h, err := vm.NewHub(c.dir)
		if err != nil {
			c.mu.Unlock()
			return nil, platform.Infra("qemu private network", err)
		}
		c.hub = h
	}
	c.mu.Unlock()

	id := fmt.Sprintf("%s-m%d", unsafeID.ReplaceAllString(c.Name(), "_"), index)
	privateIP := fmt.Sprintf("10.77.0.%d", index+1)
	user := c.flight.image.SSHUser
	if c.flight.image.UserData == "cloud-init" && ud.Kind() != conf.KindScript {
		user = "" // cloud-config keys go to the image's default user
	}
	var emptyAs conf.Kind
	if c.flight.image.UserData == "ignition" {
		emptyAs = conf.KindIgnition // the key reaches the machine only in a config
	}
	rendered, err := c.RenderUserData(ud, platform.UserDataOptions{
		User: user, EmptyAs: emptyAs,
		Vars: map[string]string{"public_ipv4": "10.0.2.15", "private_ipv4": privateIP},
	})
	if err != nil {
		return nil, err
	}
	if err := c.SaveUserData(id, rendered); err != nil {
		return nil, platform.Infra("save userdata", err)
	}
	m := &machine{cluster: c, id: id, index: index, privateIP: privateIP, userdata: rendered}
	f := c.flight
	select {
	case f.booting <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("machine %s: waiting for a turn to boot (--qemu-max-booting %d): %w", id, cap(f.booting), context.Cause(ctx))
	}
	defer func() { <-f.booting }()
	return m, m.start(ctx)
}

func (c *cluster) Destroy(ctx context.Context) error {
	err := c.BaseCluster.Destroy(ctx)
	c.mu.Lock()
	c.closed = true
	h := c.hub
	c.hub = nil
	kept := c.kept
	c.mu.Unlock()
	if h != nil {
		h.Close()
	}
	if c.dir != "" {
		err = errors.Join(err, removeExcept(c.dir, kept))
	}
	return err
}
