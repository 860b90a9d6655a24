package userdata

import (
	"bytes"
	"context"
	"errors"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/images"
	"github.com/strata-os/strata/images/debs"
)

// cloudInitDocs is Debian bookworm's cloud-init, pinned as a lock line
// pins a package (refresh: apt-cache show cloud-init); its examples are
// in /usr/share/doc/cloud-init/examples.
var cloudInitDocs = debs.Package{Name: "cloud-init", Version: "22.4.2-1+deb12u4", Size: 588824,
	SHA256:   "c18c9b1a999268413f215371ae6382f8705a437b2b24c049d6dbafcc111a1d09",
	Filename: "pool/main/c/cloud-init/cloud-init_22.4.2-1+deb12u4_all.deb"}

const key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGNsb3VkLWluaXQtZG9jcy1jb3JwdXMta2V5AAAAAAAA corpus"

// Every cloud-config example cloud-init documents is taken as it is, and
// an SSH key is added to it by appending: the example's own text stays
// the first part of the result, byte for byte. The one refusal allowed
// is the documented one: keys for a default user the example's users
// does not make.
func TestCloudInitDocumentedExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches Debian's cloud-init package")
	}
	cache, err := images.DefaultCacheDir()
	if err != nil { // no HOME (a Bazel sandbox): fetch for this test only
		cache = t.TempDir()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	f := &debs.Fetcher{CacheDir: filepath.Join(cache, "debs"), Lock: "tools/internal/userdata/cloudinit_test.go",
		Refresh: "apt-cache show cloud-init (Version, Size, SHA256, Filename)"}
	paths, err := f.Fetch(ctx, []debs.Package{cloudInitDocs})
	if err != nil {
		t.Fatalf("cloud-init's package (its examples are the corpus): %v", err)
	}
	files, err := debs.Files(ctx, paths[cloudInitDocs.Name], func(p string) bool {
		return strings.HasPrefix(p, "usr/share/doc/cloud-init/examples/cloud-config") && strings.HasSuffix(p, ".txt")
	})
	if err != nil {
		t.Fatal(err)
	}
	var taken, noDefault int
	for _, file := range files {
		name := path.Base(file.Path)
		first, _, _ := bytes.Cut(file.Data, []byte("\n"))
		if string(bytes.TrimSpace(first)) != "#cloud-config" {
			continue // archives, part handlers, boothooks: not cloud-configs
		}
		u, err := conf.Detect(name, file.Data)
		if err != nil {
			t.Errorf("%s: a documented example is refused: %v", name, err)
			continue
		}
		r, err := u.Render(conf.RenderOptions{SSHKeys: []string{key}})
		var ce *conf.Error
		switch {
		case errors.As(err, &ce) && ce.Field == "users" && strings.Contains(ce.Msg, `no "default" entry`):
			noDefault++
			t.Logf("%s: %v", name, err)
			continue
		case err != nil:
			t.Errorf("%s: adding a key: %v", name, err)
			continue
		}
		if !bytes.HasPrefix(r.Data, file.Data) && !bytes.Contains(file.Data, []byte("\nssh_authorized_keys:")) {
			t.Errorf("%s: the example's text did not stay as written", name)
		}
		if !bytes.Contains(r.Data, []byte(key)) {
			t.Errorf("%s: the key is not in the result", name)
		}
		taken++
	}
	t.Logf("%d documented cloud-config examples took a key, %d refused it for want of a default user", taken, noDefault)
	if taken < 10 {
		t.Errorf("only %d examples: the package's layout changed?", taken)
	}
}
