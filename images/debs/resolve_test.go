package debs

import (
	"context"
	"strings"
	"testing"

	"github.com/strata-os/strata/images/debs/debstest"
)

// stanza is a record whose pool path, size and hash follow from its name
// and version, so tests can tell which record a resolution picked.
func stanza(name, version string) debstest.Stanza {
	return debstest.Stanza{
		Package: name, Version: version, Size: int64(len(name) + len(version)),
		SHA256:   strings.Repeat(string("0123456789abcdef"[len(version)%16]), 64),
		Filename: "pool/main/" + name[:1] + "/" + name + "/" + name + "_" + version + "_amd64.deb",
	}
}

func fakeArchive(t *testing.T) Apt {
	base := stanza("base-files", "12.4+deb12u15")
	base.Essential, base.Priority = true, "required"
	bash := stanza("bash", "5.2.15-2+b13")
	bash.Essential, bash.Priority, bash.Depends = true, "required", "base-files (>= 12)"
	meta := stanza("linux-image-cloud-amd64", "6.1.192-3")
	meta.Depends = "linux-image-6.1.0-57-cloud-amd64 (= 6.1.192-3)"
	kernel := stanza("linux-image-6.1.0-57-cloud-amd64", "6.1.192-3")
	kernel.Depends = "kmod, linux-base (>= 4.3~)"
	return Apt{Options: debstest.Repo(t, []debstest.Stanza{
		base, bash, meta, kernel,
		stanza("linux-image-6.1.0-47-cloud-amd64", "6.1.170-3"),
		stanza("kmod", "30+20221128-1"),
		stanza("linux-base", "4.12.1~deb12u1"),
		stanza("busybox-static", "1:1.35.0-4+deb12u1+b1"),
		stanza("busybox-static", "1:1.35.0-4+deb12u2"),
	})}
}

func TestAptResolves(t *testing.T) {
	apt := fakeArchive(t)
	ctx := context.Background()

	bb, err := apt.Candidate(ctx, "busybox-static")
	if err != nil || bb.Version != "1:1.35.0-4+deb12u2" || bb.Filename != "pool/main/b/busybox-static/busybox-static_1:1.35.0-4+deb12u2_amd64.deb" || bb.Size != 32 {
		t.Errorf("Candidate(busybox-static) = %+v, %v; want the newer version's record", bb, err)
	}
	k, err := apt.Dependency(ctx, "linux-image-cloud-amd64", "linux-image-")
	if err != nil || k.Name != "linux-image-6.1.0-57-cloud-amd64" || k.Version != "6.1.192-3" {
		t.Errorf("Dependency = %+v, %v; want the kernel the meta package names", k, err)
	}
	ess, err := apt.Essentials(ctx)
	if err != nil || strings.Join(ess, " ") != "base-files bash" {
		t.Errorf("Essentials = %v, %v", ess, err)
	}
	pkgs, err := apt.Closure(ctx, append(ess, "linux-image-cloud-amd64"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pkgs {
		got = append(got, p.String())
		if p.SHA256 == "" || p.Size == 0 || !strings.HasPrefix(p.Filename, "pool/main/") {
			t.Errorf("%s: incomplete record %+v", p, p)
		}
	}
	want := "base-files=12.4+deb12u15 bash=5.2.15-2+b13 kmod=30+20221128-1 linux-base=4.12.1~deb12u1 linux-image-6.1.0-57-cloud-amd64=6.1.192-3 linux-image-cloud-amd64=6.1.192-3"
	if strings.Join(got, " ") != want {
		t.Errorf("Closure =\n %s\nwant\n %s", strings.Join(got, " "), want)
	}

	if _, err := apt.Candidate(ctx, "no-such-package"); err == nil || !strings.Contains(err.Error(), "no-such-package") {
		t.Errorf("unknown package: %v", err)
	}
	if _, err := apt.Closure(ctx, []string{"no-such-package"}); err == nil || !strings.Contains(err.Error(), "no-such-package") {
		t.Errorf("closure of an unknown package: %v", err)
	}
}
