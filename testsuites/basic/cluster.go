package basic

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/register"
	"github.com/strata-os/strata/core/sshclient"
)

// clusterPort is where the machines of basic.cluster answer each other.
const clusterPort = "7077"

func init() {
	register.Register(register.Test{
		Name:        "basic.cluster",
		Description: "Three machines reach each other over TCP at their private addresses.",
		ClusterSize: 3,
		Tags:        []string{"basic", "network"},
		Run:         clusterTalks,
		NativeFuncs: map[string]register.NativeFunc{
			"serve": serveHostname,
			"dial":  dialPeer,
		},
	})
}

// clusterTalks starts a server on every machine, then has each machine
// dial every other one at its PrivateIP and read back the peer's hostname.
func clusterTalks(c cluster.TestCluster) {
	ms := c.Machines()
	for _, m := range ms {
		// kolet serves in the background; the SSH session ends at once.
		c.MustSSH(m, fmt.Sprintf("(%s run basic.cluster serve </dev/null >/dev/null 2>&1 &)", cluster.KoletPath))
	}
	for _, from := range ms {
		for _, to := range ms {
			if from == to {
				continue
			}
			want := strings.TrimSpace(string(c.MustSSH(to, "hostname")))
			cmd := fmt.Sprintf("STRATA_PEER=%s %s run basic.cluster dial", sshclient.Quote(net.JoinHostPort(to.PrivateIP(), clusterPort)), cluster.KoletPath)
			out, err := c.SSH(from, cmd)
			if err != nil {
				c.Errorf("%s -> %s (%s): %v", from.ID(), to.ID(), to.PrivateIP(), err)
				continue
			}
			if got := strings.TrimSpace(string(out)); got != "peer: "+want {
				c.Errorf("%s -> %s (%s): got %q, want %q", from.ID(), to.ID(), to.PrivateIP(), got, "peer: "+want)
			}
		}
	}
}

// serveHostname runs on a machine: it answers every TCP connection on
// clusterPort with the machine's hostname, until killed.
func serveHostname() error {
	host, err := os.Hostname()
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", ":"+clusterPort)
	if err != nil {
		return err
	}
	for {
		conn, err := l.Accept()
		if err != nil {
			return err
		}
		fmt.Fprintln(conn, host)
		conn.Close()
	}
}

// dialPeer runs on a machine: it connects to $STRATA_PEER, retrying while
// the peer's server starts, and prints what the peer said.
func dialPeer() error {
	peer := os.Getenv("STRATA_PEER")
	if peer == "" {
		return errors.New("STRATA_PEER not set")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", peer)
		if err == nil {
			defer conn.Close()
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err != nil {
				return fmt.Errorf("read from %s: %w", peer, err)
			}
			fmt.Println("peer:", strings.TrimSpace(line))
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("dial %s: %w", peer, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
