package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"time"

	"github.com/strata-os/strata/agent/cloudmeta"
)

// metadataName is the name the metadata agent is called by.
const metadataName = "strata-metadata"

// metadataTimeout bounds waiting for the metadata service (the network
// comes up beside the agent).
const metadataTimeout = 5 * time.Minute

// metadataMain is strata-metadata: `strata-metadata sshkeys USER` adds the
// SSH keys the cloud's metadata service gives to USER's authorized_keys.
// The platform is ignition.platform.id on the kernel command line; one
// without a metadata source (qemu, metal) is not an error.
func metadataMain(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "sshkeys" {
		fmt.Fprintf(stderr, "usage: %s sshkeys USER\n", metadataName)
		return 2
	}
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", metadataName, err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), metadataTimeout)
	defer cancel()
	n, err := installKeys(ctx, cloudmeta.PlatformFromCmdline(string(cmdline)), args[1])
	if errors.Is(err, cloudmeta.ErrNoSource) {
		fmt.Fprintf(stdout, "%s: %v: nothing to do\n", metadataName, err)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", metadataName, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %d new SSH keys for %s\n", metadataName, n, args[1])
	return 0
}

func installKeys(ctx context.Context, platform, name string) (int, error) {
	src, err := cloudmeta.ForPlatform(platform, nil)
	if err != nil {
		return 0, err
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, fmt.Errorf("user %s: %w", name, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	keys, err := cloudmeta.Retry(ctx, 2*time.Second, func(ctx context.Context) ([]string, error) { return src.SSHKeys(ctx, name) })
	if err != nil {
		return 0, fmt.Errorf("SSH keys from the %s metadata service: %w", platform, err)
	}
	return cloudmeta.InstallKeys(u.HomeDir, uid, gid, keys)
}
