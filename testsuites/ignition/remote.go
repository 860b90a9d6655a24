package ignition

import (
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync/atomic"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

// qemuHost is the host as a QEMU machine on the user network sees it.
const qemuHost = "10.0.2.2"

// noDHCPAnswer is what klibc's ipconfig, in strata's initramfs, says
// when a round of DHCP went unanswered.
const noDHCPAnswer = "IP-Config: no response after"

// remotePayload is what the test's HTTP server hands out.
const remotePayload = "fetched from the test's server\n"

func init() {
	register.Register(register.Test{
		Name:        "ignition.remote.verified",
		Description: "A file fetched over HTTP from a server the test runs is written when its SHA-512 matches.",
		Tags:        []string{"ignition", "network"},
		Distros:     distros,
		// The guest reaches the test's server through QEMU's user network.
		Platforms: []string{"qemu"},
		Run:       func(c cluster.TestCluster) { remoteFile(c, true) },
	})
	register.Register(register.Test{
		Name:        "ignition.remote.badhash",
		Description: "A fetched file whose SHA-512 does not match fails the boot, and the console says so.",
		Tags:        []string{"ignition", "network"},
		Distros:     distros,
		Platforms:   []string{"qemu"},
		// The failed boot is the point: its console has Ignition's error.
		Flags: []register.Flag{register.NoEmergencyShellCheck},
		Run:   func(c cluster.TestCluster) { remoteFile(c, false) },
	})
}

// serve starts an HTTP server for the payload on the host, for the test's
// lifetime; it counts the requests.
func serve(c cluster.TestCluster) (url string, hits *atomic.Int32) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		c.Fatalf("listen: %v", err)
	}
	hits = new(atomic.Int32)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/payload" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, remotePayload)
	})}
	go srv.Serve(l)
	c.Cleanup(func() { srv.Close() })
	port := l.Addr().(*net.TCPAddr).Port
	return fmt.Sprintf("http://%s:%d/payload", qemuHost, port), hits
}

func remoteFile(c cluster.TestCluster, goodHash bool) {
	url, hits := serve(c)
	sum := sha512.Sum512([]byte(remotePayload))
	hash := hex.EncodeToString(sum[:])
	if !goodHash {
		wrong := sha512.Sum512([]byte("something else"))
		hash = hex.EncodeToString(wrong[:])
	}
	ud := conf.Ignition(fmt.Sprintf(`{
  "ignition": {"version": "3.3.0"},
  "storage": {"files": [{"path": "/etc/strata-test/remote", "mode": 420,
    "contents": {"source": %q, "verification": {"hash": "sha512-%s"}}}]}
}`, url, hash))
	m, err := c.NewMachine(c.Context(), ud)
	if goodHash {
		if err != nil {
			c.Fatalf("boot: %v", err)
		}
		if got := string(c.MustSSH(m, "cat /etc/strata-test/remote")); got != remotePayload {
			c.Errorf("fetched file holds %q, want %q", got, remotePayload)
		}
		if hits.Load() == 0 {
			c.Error("the test's server saw no request")
		}
		// The initramfs's first DHCP discover is answered: strata's image
		// brings the card up before ipconfig, whose failed first send
		// would cost ten seconds of every networked boot.
		if console := m.ConsoleOutput(c.Context()); strings.Contains(console, noDHCPAnswer) {
			c.Errorf("the initramfs's DHCP went unanswered at its first try (%q on the console):\n%s", noDHCPAnswer, tail(console, 3000))
		}
		return
	}
	if err == nil {
		c.Fatalf("the machine booted although the fetched file's hash was wrong")
	}
	c.Logf("boot failed as it should: %v", err)
	if hits.Load() == 0 {
		c.Errorf("the test's server saw no request: the boot failed before the fetch")
	}
	ms := c.Machines()
	if len(ms) == 0 {
		c.Fatalf("the failed machine is not in the cluster: no console to check")
	}
	console := ms[len(ms)-1].ConsoleOutput(c.Context())
	if !strings.Contains(console, "hash verification failed") {
		c.Errorf("the console does not say why the boot failed (no %q):\n%s", "hash verification failed", tail(console, 3000))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
