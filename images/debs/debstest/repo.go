// Package debstest makes apt repositories for tests: a flat repository of
// package records in a temporary directory, and the apt settings that make
// the host's apt-get and apt-cache see it and nothing else. The records
// need no .deb behind them: resolving reads only the index.
package debstest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Stanza is one package record of the repository's index.
type Stanza struct {
	Package, Version, Depends, Priority, Filename, SHA256 string
	Essential                                             bool
	Size                                                  int64
}

// Repo writes the stanzas as a flat repository, runs apt-get update
// against it alone, and returns the apt settings ("key=value", for -o)
// that point apt at it. It skips the test where there is no apt.
func Repo(t testing.TB, stanzas []Stanza) []string {
	t.Helper()
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get")
	}
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	for _, d := range []string{"repo", "lists/partial", "cache/archives/partial", "parts", "prefs"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var idx bytes.Buffer
	for _, s := range stanzas {
		idx.WriteString("Package: " + s.Package + "\nVersion: " + s.Version + "\nArchitecture: amd64\n")
		if s.Essential {
			idx.WriteString("Essential: yes\n")
		}
		if s.Priority != "" {
			idx.WriteString("Priority: " + s.Priority + "\n")
		}
		if s.Depends != "" {
			idx.WriteString("Depends: " + s.Depends + "\n")
		}
		idx.WriteString("Filename: " + s.Filename + "\nSize: " + strconv.FormatInt(s.Size, 10) + "\nSHA256: " + s.SHA256 + "\nDescription: test package\n\n")
	}
	write(t, filepath.Join(repo, "Packages"), idx.Bytes())
	write(t, filepath.Join(dir, "sources.list"), []byte("deb [trusted=yes] file:"+repo+" ./\n"))
	write(t, filepath.Join(dir, "status"), nil)
	opts := []string{
		"Dir::Etc::SourceList=" + filepath.Join(dir, "sources.list"),
		"Dir::Etc::SourceParts=" + filepath.Join(dir, "parts"),
		"Dir::Etc::PreferencesParts=" + filepath.Join(dir, "prefs"),
		"Dir::Etc::Preferences=" + filepath.Join(dir, "prefs", "none"),
		"Dir::State::Lists=" + filepath.Join(dir, "lists"),
		"Dir::State::status=" + filepath.Join(dir, "status"),
		"Dir::Cache=" + filepath.Join(dir, "cache"),
		"APT::Architecture=amd64",
		"APT::Architectures=amd64",
		"Debug::NoLocking=1",
		"APT::Sandbox::User=root",
	}
	args := []string{"update", "-q"}
	for _, o := range opts {
		args = append(args, "-o", o)
	}
	if out, err := exec.Command("apt-get", args...).CombinedOutput(); err != nil {
		t.Fatalf("apt-get update of the test repository: %v\n%s", err, out)
	}
	return opts
}

func write(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
