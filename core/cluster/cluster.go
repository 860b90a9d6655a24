// Package cluster defines TestCluster, what a kola test function receives:
// the harness's H (logging, failing, subtests, the test's context) and the
// platform Cluster holding the test's machines, with helpers that turn
// SSH errors into test failures naming the machine and command.
package cluster

import (
	"errors"
	"fmt"

	"github.com/strata-os/strata/core/harness"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/sshclient"
)

// KoletPath is where the runner puts the kolet agent on each machine of a
// test that has native functions; relative to the SSH user's home.
const KoletPath = "./kolet"

// TestCluster is handed to a test's Run function.
type TestCluster struct {
	*harness.H
	platform.Cluster
	// TestName is the registered name of the top-level test, which kolet
	// needs to find its native functions.
	TestName string
}

// Run runs f as a subtest on the same cluster.
func (t TestCluster) Run(name string, f func(TestCluster)) bool {
	return t.H.Run(name, func(h *harness.H) {
		f(TestCluster{H: h, Cluster: t.Cluster, TestName: t.TestName})
	})
}

// SSH runs cmd on m under the test's context and returns its stdout. A
// failed command's error carries its exit status and stderr.
func (t TestCluster) SSH(m platform.Machine, cmd string) ([]byte, error) {
	stdout, _, err := m.SSH(t.Context(), cmd)
	if err != nil {
		return stdout, fmt.Errorf("on %s: %w", m.ID(), err)
	}
	return stdout, nil
}

// MustSSH is SSH that fails the test on error.
func (t TestCluster) MustSSH(m platform.Machine, cmd string) []byte {
	out, err := t.SSH(m, cmd)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// MustSSHf formats the command, then MustSSH.
func (t TestCluster) MustSSHf(m platform.Machine, format string, args ...any) []byte {
	return t.MustSSH(m, fmt.Sprintf(format, args...))
}

// RunNative runs the test's native function funcName on m through kolet,
// which the runner copied there.
func (t TestCluster) RunNative(funcName string, m platform.Machine) error {
	cmd := fmt.Sprintf("%s run %s %s", KoletPath, sshclient.Quote(t.TestName), sshclient.Quote(funcName))
	stdout, stderr, err := m.SSH(t.Context(), cmd)
	if len(stdout) > 0 {
		t.Logf("%s native %s stdout:\n%s", m.ID(), funcName, stdout)
	}
	var ee *sshclient.ExitError
	if errors.As(err, &ee) {
		return fmt.Errorf("native function %s on %s failed (status %d): %s", funcName, m.ID(), ee.Status, stderr)
	}
	if err != nil {
		return fmt.Errorf("native function %s on %s: %w", funcName, m.ID(), err)
	}
	return nil
}
