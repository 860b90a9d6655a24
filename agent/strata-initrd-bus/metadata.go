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
// SSH keys the cloud's metadata service gives to USER's authorized_keys;
// `strata-metadata report-ready` tells a cloud that waits for it (Azure)
// that the machine is provisioned. The platform is ignition.platform.id
// on the kernel command line; one without a metadata source (qemu,
// metal), or that waits for no report, is not an error.
func metadataMain(args []string, stdout, stderr io.Writer) int {
	usage := func() int {
		fmt.Fprintf(stderr, "usage: %s sshkeys USER | report-ready\n", metadataName)
		return 2
	}
	switch {
	case len(args) == 2 && args[0] == "sshkeys":
	case len(args) == 1 && args[0] == "report-ready":
	default:
		return usage()
	}
	cmdline, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", metadataName, err)
		return 1
	}
	platform := cloudmeta.PlatformFromCmdline(string(cmdline))
	ctx, cancel := context.WithTimeout(context.Background(), metadataTimeout)
	defer cancel()
	var done string
	if args[0] == "report-ready" {
		err = reportReady(ctx, platform)
		done = "reported ready"
	} else {
		var n int
		n, err = installKeys(ctx, platform, args[1])
		done = fmt.Sprintf("%d new SSH keys for %s", n, args[1])
	}
	if errors.Is(err, cloudmeta.ErrNoSource) {
		fmt.Fprintf(stdout, "%s: %v: nothing to do\n", metadataName, err)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", metadataName, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: %s\n", metadataName, done)
	return 0
}

// reportReady reports the machine provisioned where the cloud waits for
// that.
func reportReady(ctx context.Context, platform string) error {
	src, err := cloudmeta.ForPlatform(platform, nil)
	if err != nil {
		return err
	}
	r, ok := src.(cloudmeta.Reporter)
	if !ok {
		return fmt.Errorf("platform %q waits for no report: %w", platform, cloudmeta.ErrNoSource)
	}
	_, err = cloudmeta.Retry(ctx, 2*time.Second, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.ReportReady(ctx) })
	if err != nil {
		return fmt.Errorf("report ready to the %s fabric: %w", platform, err)
	}
	return nil
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
