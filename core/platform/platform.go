// Package platform holds the contracts between strata's test runner and the
// places machines run: a Flight (what one kola run shares on a provider: the
// API client, the SSH key), Clusters (the machines of one test) and Machines.
// Providers live in their own modules and register themselves here from
// init(); this package imports none of them.
package platform

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/sshclient"
	"golang.org/x/crypto/ssh"
)

// Flight is what one run shares on a provider. Destroy destroys every
// cluster the flight made that is still alive.
type Flight interface {
	Name() string
	Platform() string
	// SSHKey is the key pair generated for this flight; its public half is
	// put on every machine.
	SSHKey() *sshclient.KeyPair
	NewCluster(ctx context.Context, opts ClusterOptions) (Cluster, error)
	Destroy(ctx context.Context) error
}

// FlightOptions are given to a provider's NewFlight.
type FlightOptions struct {
	// Name identifies the flight in resource names and tags.
	Name string
	// OutputDir is where the flight may keep files; clusters get their own.
	OutputDir string
	// Arch is the machine architecture to boot (amd64, arm64).
	Arch   string
	Logger *slog.Logger
	// SSHProxy, if set, is a SOCKS5 proxy (socks5://HOST:PORT) cloud
	// machines are reached through (see sshclient.ProxyDialer); machines
	// on this host (qemu) are reached directly.
	SSHProxy string
	// KeepFailed says the run may keep machines (see Keeper): providers
	// whose machines die with kola start them so that they need not.
	KeepFailed bool
}

// ClusterOptions describe one test's cluster.
type ClusterOptions struct {
	Name string
	// OutputDir receives one directory per machine, named by machine ID,
	// holding at least "userdata" (as sent); the runner adds console.txt
	// and journal.txt.
	OutputDir string
	// NoSSHKeyInUserData and NoSSHKeyInMetadata turn off one of the two
	// ways the flight's key reaches a machine (tests of key handling).
	NoSSHKeyInUserData bool
	NoSSHKeyInMetadata bool
	// DisabledChecks names the console checks (see package consolecheck)
	// the test turned off; providers that watch the console as it streams
	// must not act on those.
	DisabledChecks map[string]bool
	// AdditionalDisks are empty disks, by size ("1G", see ValidDiskSize),
	// each machine of the cluster gets beside its root disk, in this order
	// (the first is the guest's second disk). A provider that cannot attach
	// them refuses the cluster with ErrNoAdditionalDisks rather than boot
	// machines a test would find short of a disk.
	AdditionalDisks []string
	// Shape is what the test asks of its machines (memory, disk, cards,
	// kernel arguments); only flights that are MachineShapers get one
	// that asks anything.
	Shape MachineShape
}

// ErrNoAdditionalDisks is why a provider refuses a cluster that asks for
// AdditionalDisks.
var ErrNoAdditionalDisks = errors.New("this platform cannot give machines additional disks")

// RefuseAdditionalDisks is the NewCluster check of providers that cannot
// attach disks: a usage error naming the platform and the disks asked for.
func RefuseAdditionalDisks(platformName string, opts ClusterOptions) error {
	if len(opts.AdditionalDisks) == 0 {
		return nil
	}
	return Usage(fmt.Errorf("%s: cluster %s wants additional disks %v: %w", platformName, opts.Name, opts.AdditionalDisks, ErrNoAdditionalDisks))
}

// diskSize is a size qemu-img and the clouds' volume APIs can both be
// given: bytes, or K, M, G or T of them.
var diskSize = regexp.MustCompile(`^[1-9][0-9]*[KMGT]?$`)

// ValidDiskSize checks a disk size as tests and flags give it.
func ValidDiskSize(s string) error {
	if !diskSize.MatchString(s) {
		return fmt.Errorf("disk size %q: want a size like 512M or 4G", s)
	}
	return nil
}

// DiskSizeBytes is a valid disk size in bytes; K, M, G and T are powers
// of 1024, as qemu-img reads them.
func DiskSizeBytes(s string) (int64, error) {
	if err := ValidDiskSize(s); err != nil {
		return 0, err
	}
	unit := int64(1)
	if i := strings.IndexAny(s, "KMGT"); i >= 0 {
		unit = int64(1) << (10 * (1 + strings.IndexByte("KMGT", s[i])))
		s = s[:i]
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("disk size %q is too large", s)
	}
	return n * unit, nil
}

// Cluster is the machines of one test.
type Cluster interface {
	Name() string
	Platform() string
	// NewMachine creates a machine with userdata (plus the flight's SSH key)
	// and returns when it answers SSH. On error nothing is left behind.
	NewMachine(ctx context.Context, userdata *conf.UserData) (Machine, error)
	Machines() []Machine
	// Destroy destroys every machine; it is safe to call more than once.
	Destroy(ctx context.Context) error
}

// Machine is one running machine.
type Machine interface {
	ID() string
	// IP is the address kola reaches the machine at; PrivateIP is where the
	// other machines of its cluster reach it.
	IP() string
	PrivateIP() string
	// SSHClient returns a connected client, dialing if needed.
	SSHClient(ctx context.Context) (*ssh.Client, error)
	// SSH runs cmd; a non-zero exit is a *sshclient.ExitError.
	SSH(ctx context.Context, cmd string) (stdout, stderr []byte, err error)
	// CopyFile writes src to dst on the machine.
	CopyFile(ctx context.Context, src io.Reader, dst string, mode fs.FileMode) error
	// Reboot reboots the machine and returns when it answers SSH again
	// with a new boot ID.
	Reboot(ctx context.Context) error
	// Journal returns the systemd journal of every boot, or ErrNoJournal.
	Journal(ctx context.Context) ([]byte, error)
	// ConsoleOutput returns the serial console so far (what the provider
	// can get: some clouds keep only the tail, and say so in it). It never
	// fails: what could not be had is said in the text. ctx bounds the
	// cloud calls it makes.
	ConsoleOutput(ctx context.Context) string
	Destroy(ctx context.Context) error
}

// DistroReporter is implemented by flights that may know the
// distribution of the image they boot (the qemu images do; a cloud flight
// does when the image is a known distro's release); the runner uses it to
// select tests by distro when the user named none. "" is unknown.
type DistroReporter interface {
	Distro() string
}

// OSVersionReporter is implemented by flights that may know the OS
// version of the image they boot; the runner uses it for tests bounded by
// version when the user gave none. "" is unknown.
type OSVersionReporter interface {
	OSVersion() string
}

// ConcurrencyPlanner is implemented by flights that size their machines
// by how many boot at once: under emulation a QEMU machine's CPUs are
// threads on the host's cores, and guests with more CPUs than their share
// of the cores boot slower, not faster. The runner calls it once, before
// the first cluster, with the most machines its tests may boot at once:
// -j times the largest cluster (a cluster's machines boot together).
type ConcurrencyPlanner interface {
	PlanConcurrency(machinesAtOnce int)
}

// ConsoleWatcher is implemented by flights that check their machines'
// consoles as they come and stop a machine at a fatal match (qemu reads
// the serial port as it is written). For the others (the clouds, whose
// consoles are fetched through an API) the runner fetches each machine's
// console periodically while the test runs.
type ConsoleWatcher interface {
	WatchesConsoles() bool
}

// MemoryReporter is implemented by flights whose machines use this host's
// memory; the runner sizes -j auto by it.
type MemoryReporter interface {
	// MachineMemoryMiB is what one machine takes of the host.
	MachineMemoryMiB() int
}
