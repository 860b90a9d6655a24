// Package hosttool finds the host programs image builds run. Several
// live in the sbin directories (tune2fs, e2fsck, debugfs, sfdisk,
// mkfs.fat, and chroot, which mmdebstrap's hooks call), which a Debian
// user's PATH lacks and Bazel's strict action PATH (/usr/bin:/bin) too,
// though none of them needs root on an image file.
package hosttool

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// sbinDirs are searched after PATH.
var sbinDirs = []string{"/usr/sbin", "/sbin"}

// Path finds name on PATH, else in the sbin directories.
func Path(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	for _, dir := range sbinDirs {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found on PATH or in %s", name, strings.Join(sbinDirs, ", "))
}

// Environ returns env with the sbin directories appended to its PATH (a
// PATH made of them when it has none), for a tool that runs others.
func Environ(env []string) []string {
	out := slices.Clone(env)
	for i, kv := range out {
		val, ok := strings.CutPrefix(kv, "PATH=")
		if !ok {
			continue
		}
		dirs := filepath.SplitList(val)
		for _, d := range sbinDirs {
			if !slices.Contains(dirs, d) {
				dirs = append(dirs, d)
			}
		}
		out[i] = "PATH=" + strings.Join(dirs, string(filepath.ListSeparator))
		return out
	}
	return append(out, "PATH="+strings.Join(sbinDirs, string(filepath.ListSeparator)))
}
