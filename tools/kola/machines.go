package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"path/filepath"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/sshclient"
)

// sshCommand is how a person reaches m with ssh(1) and the key at keyPath.
func sshCommand(keyPath string, m platform.Machine) string {
	user, hostport := "core", net.JoinHostPort(m.IP(), "22")
	if t, ok := m.(platform.SSHTargeter); ok {
		user, hostport = t.SSHTarget()
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = hostport, "22"
	}
	return fmt.Sprintf("ssh -i %s -p %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null %s@%s", keyPath, port, user, host)
}

// printMachines lists machines with how to reach them, after writing the
// flight's private key (0600) into dir.
func printMachines(w io.Writer, dir string, key *sshclient.KeyPair, ms []platform.Machine) (string, error) {
	keyPath, err := filepath.Abs(filepath.Join(dir, "id_ed25519"))
	if err != nil {
		return "", err
	}
	if err := key.WritePrivateKey(keyPath); err != nil {
		return "", err
	}
	for _, m := range ms {
		fmt.Fprintf(w, "  %s  ip %s  private %s\n    %s\n", m.ID(), m.IP(), m.PrivateIP(), sshCommand(keyPath, m))
	}
	return keyPath, nil
}

// shell opens an interactive shell on m with kola's own terminal.
func (a *app) shell(ctx context.Context, m platform.Machine) error {
	c, err := m.SSHClient(ctx)
	if err != nil {
		return fmt.Errorf("shell on %s: %w", m.ID(), err)
	}
	return sshclient.Shell(ctx, c, a.stdin, a.stdout, a.stderr)
}
