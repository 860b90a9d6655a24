package cloudmeta

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// InstallKeys adds keys to home/.ssh/authorized_keys (made with the
// modes sshd insists on, owned by uid:gid), keeping what is there
// (Ignition's keys) and adding each key once however often it runs.
func InstallKeys(home string, uid, gid int, keys []string) (added int, err error) {
	dir := filepath.Join(home, ".ssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return 0, fmt.Errorf("install SSH keys: %w", err)
	}
	if err := os.Chown(dir, uid, gid); err != nil {
		return 0, fmt.Errorf("install SSH keys: %w", err)
	}
	path := filepath.Join(dir, "authorized_keys")
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return 0, fmt.Errorf("install SSH keys: %w", err)
	}
	have := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		have[keyID(sc.Text())] = true
	}
	out := append([]byte(nil), old...)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, k := range keys {
		if id := keyID(k); id != "" && !have[id] {
			have[id] = true
			out = append(out, k+"\n"...)
			added++
		}
	}
	if added == 0 {
		return 0, nil
	}
	tmp := path + ".strata-metadata"
	if err := os.WriteFile(tmp, out, 0o600); err != nil {
		return 0, fmt.Errorf("install SSH keys: %w", err)
	}
	if err := os.Chown(tmp, uid, gid); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("install SSH keys: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return 0, fmt.Errorf("install SSH keys: %w", err)
	}
	return added, nil
}

// keyID is a key's type and data, without its comment or options.
func keyID(line string) string {
	f := strings.Fields(line)
	for i := 0; i+1 < len(f); i++ {
		if strings.HasPrefix(f[i], "ssh-") || strings.HasPrefix(f[i], "ecdsa-") || strings.HasPrefix(f[i], "sk-") {
			return f[i] + " " + f[i+1]
		}
	}
	return ""
}
