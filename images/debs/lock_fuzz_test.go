package debs

import (
	"strings"
	"testing"
)

// FuzzParseLock: a lock file as a person or a tool may have left it. No
// panic; an error names the file (and line); what parses is a list of
// pins each fetchable as the format promises, no name twice.
func FuzzParseLock(f *testing.F) {
	for _, s := range []string{
		"# name version size sha256 filename\nbash 5.2.15-2+b7 1491460 " + strings.Repeat("a", 64) + " pool/main/b/bash/bash_5.2.15-2+b7_amd64.deb\n",
		"bash 5.2 10 " + strings.Repeat("0", 64) + "\n",
		"bash 5.2 -1 x pool/../x.deb\n",
		"a 1 1 " + strings.Repeat("f", 64) + " pool/a.deb\na 1 1 " + strings.Repeat("f", 64) + " pool/a.deb\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pkgs, err := ParseLock("fuzz.lock", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.lock") {
				t.Errorf("the error does not start with the file: %v", err)
			}
			return
		}
		seen := map[string]bool{}
		for _, p := range pkgs {
			if !nameRE.MatchString(p.Name) || p.Size <= 0 || !hashRE.MatchString(p.SHA256) || !validFilename(p.Filename) || seen[p.Name] {
				t.Errorf("a pin that breaks the format's promises: %+v", p)
			}
			seen[p.Name] = true
		}
	})
}

// FuzzParseRecords: apt-cache's records as any apt (or mirror) may give
// them. No panic; what parses is what a lock can pin.
func FuzzParseRecords(f *testing.F) {
	for _, s := range []string{
		"Package: bash\nVersion: 5.2.15-2+b7\nSize: 1491460\nSHA256: " + strings.Repeat("a", 64) + "\nFilename: pool/main/b/bash/bash_5.2.15-2+b7_amd64.deb\n\n",
		"Package: x\nVersion:\n\nPackage\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := parseRecords(data)
		if err != nil {
			return
		}
		for _, r := range recs {
			p := r.pkg
			if !nameRE.MatchString(p.Name) || p.Version == "" || p.Size <= 0 || !hashRE.MatchString(p.SHA256) || !validFilename(p.Filename) {
				t.Errorf("a record a lock could not pin: %+v", p)
			}
		}
	})
}
