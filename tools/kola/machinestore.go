package main

import (
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/sshclient"
	"golang.org/x/sys/unix"
)

// machineStore is where kola records the machines a person may reach by
// name (kola ssh, kola machines, kola rm): those --keep-failed kept, which
// outlive the run, and those kola spawn runs, for as long as it runs. One
// JSON file per machine under machines/, the flights' private keys under
// keys/ (0600), in --state-dir.
type machineStore struct{ dir string }

// machineRecord is one machine of the store.
type machineRecord struct {
	Name string `json:"name"`
	// Test is the failed test whose machine was kept; "" for spawn's.
	Test string `json:"test,omitempty"`
	// Run is the run's output directory (logs, consoles).
	Run   string    `json:"run,omitempty"`
	Since time.Time `json:"since"`
	// Key is the private key file that reaches the machine.
	Key string `json:"key"`
	// Owner, for a spawned machine, is the kola spawn that has it: the
	// machine goes when that process does.
	Owner   int                  `json:"owner,omitempty"`
	Machine platform.KeptMachine `json:"machine"`
}

// defaultStateDir is $XDG_STATE_HOME/strata, else ~/.local/state/strata.
func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "strata")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "strata")
	}
	return filepath.Join(os.TempDir(), "strata-state")
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func (s machineStore) machinesDir() string { return filepath.Join(s.dir, "machines") }

// saveKey writes a flight's key once and returns its path.
func (s machineStore) saveKey(flight string, key *sshclient.KeyPair) (string, error) {
	dir := filepath.Join(s.dir, "keys")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("machine store: %w", err)
	}
	// Named by the key too: two flights may share a name (two runs in
	// one second).
	sum := sha256.Sum256(key.Signer.PublicKey().Marshal())
	path := filepath.Join(dir, fmt.Sprintf("%s-%x.key", unsafeName.ReplaceAllString(flight, "_"), sum[:6]))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := key.WritePrivateKey(path); err != nil {
		return "", fmt.Errorf("machine store: %w", err)
	}
	return path, nil
}

// add records rec under its machine's ID, or ID-2, ID-3, … when the name
// is taken (the same test kept by two runs), and returns the name used.
// Creating the file exclusively makes concurrent kolas take distinct
// names.
func (s machineStore) add(rec machineRecord) (string, error) {
	if err := os.MkdirAll(s.machinesDir(), 0o700); err != nil {
		return "", fmt.Errorf("machine store: %w", err)
	}
	base := unsafeName.ReplaceAllString(rec.Machine.ID, "_")
	for i := 1; i < 1000; i++ {
		name := base
		if i > 1 {
			name = fmt.Sprintf("%s-%d", base, i)
		}
		f, err := os.OpenFile(filepath.Join(s.machinesDir(), name+".json"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", fmt.Errorf("machine store: %w", err)
		}
		rec.Name = name
		data, _ := json.MarshalIndent(rec, "", "  ")
		_, err = f.Write(append(data, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			return "", fmt.Errorf("machine store: %w", err)
		}
		return name, nil
	}
	return "", fmt.Errorf("machine store: too many machines named %s", base)
}

// list returns the records, by name. Records of spawned machines whose
// kola spawn is gone (killed) are dropped: their machines went with it.
// A file that does not parse is an error naming it.
func (s machineStore) list() ([]machineRecord, error) {
	files, err := filepath.Glob(filepath.Join(s.machinesDir(), "*.json"))
	if err != nil {
		return nil, err
	}
	var recs []machineRecord
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("machine store: %w", err)
		}
		var rec machineRecord
		if err := json.Unmarshal(data, &rec); err != nil {
			return nil, fmt.Errorf("machine store: %s: %w", f, err)
		}
		if rec.Name != strings.TrimSuffix(filepath.Base(f), ".json") {
			return nil, fmt.Errorf("machine store: %s: names machine %q", f, rec.Name)
		}
		if rec.Owner > 0 && unix.Kill(rec.Owner, 0) == unix.ESRCH {
			os.Remove(f)
			continue
		}
		recs = append(recs, rec)
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].Name < recs[j].Name })
	return recs, nil
}

// find returns the record named name, or the one whose name it begins
// uniquely; the error lists what there is.
func (s machineStore) find(name string) (machineRecord, error) {
	recs, err := s.list()
	if err != nil {
		return machineRecord{}, err
	}
	var prefixed []machineRecord
	for _, r := range recs {
		if r.Name == name {
			return r, nil
		}
		if strings.HasPrefix(r.Name, name) {
			prefixed = append(prefixed, r)
		}
	}
	if len(prefixed) == 1 && name != "" {
		return prefixed[0], nil
	}
	var names []string
	for _, r := range recs {
		names = append(names, r.Name)
	}
	switch {
	case len(recs) == 0:
		return machineRecord{}, platform.Usagef("no machine %q: kola has no kept or spawned machines (in %s)", name, s.machinesDir())
	case name == "":
		return machineRecord{}, platform.Usagef("name the machine: kola ssh NAME; there are: %s", strings.Join(names, ", "))
	case len(prefixed) > 1:
		return machineRecord{}, platform.Usagef("machine %q is ambiguous: %s", name, strings.Join(names, ", "))
	}
	return machineRecord{}, platform.Usagef("no machine %q; there are: %s", name, strings.Join(names, ", "))
}

// remove deletes rec and its key when no other record uses it.
func (s machineStore) remove(rec machineRecord) error {
	if err := os.Remove(filepath.Join(s.machinesDir(), rec.Name+".json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("machine store: %w", err)
	}
	recs, err := s.list()
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Key == rec.Key {
			return nil
		}
	}
	if strings.HasPrefix(rec.Key, filepath.Join(s.dir, "keys")+string(filepath.Separator)) {
		if err := os.Remove(rec.Key); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("machine store: %w", err)
		}
	}
	return nil
}

// age says how long ago t was, for a person.
func age(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
	return strconv.Itoa(int(d.Hours()/24)) + "d"
}
