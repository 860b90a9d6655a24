package qemu

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
)

type cluster struct {
	*platform.BaseCluster
	flight *flight
	dir    string // temporary files: sockets, keys, userdata, disks

	mu  sync.Mutex
	hub *hub
	// hubPath is the private network's socket; hubDir, if set, the short
	// directory made for it (see hubSocket).
	hubPath, hubDir string
	count           int
	closed          bool
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
		sock, err := c.hubSocket()
		if err != nil {
			c.mu.Unlock()
			return nil, platform.Infra("qemu private network", err)
		}
		h, err := newHub(sock)
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
	c.mu.Unlock()
	if h != nil {
		h.Close()
	}
	for _, dir := range []string{c.dir, c.hubDir} {
		if dir == "" {
			continue
		}
		if rerr := os.RemoveAll(dir); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}
	return err
}

// maxSocketPath is the longest unix socket path the kernel takes (108
// bytes with the terminating NUL).
const maxSocketPath = 107

// hubSocket is where the cluster's private network listens: in its temp
// dir, or, when that path is too long for a unix socket (Bazel's
// TEST_TMPDIR is deep), in a short directory of its own under /tmp.
// c.mu must be held.
func (c *cluster) hubSocket() (string, error) {
	if c.hubPath != "" {
		return c.hubPath, nil
	}
	p := filepath.Join(c.dir, "hub.sock")
	if len(p) > maxSocketPath {
		dir, err := os.MkdirTemp("/tmp", "strata-hub-")
		if err != nil {
			return "", err
		}
		c.hubDir = dir
		p = filepath.Join(dir, "hub.sock")
	}
	c.hubPath = p
	return p, nil
}
