"""debian_lock: the Debian packages of a lock file as a Bazel repository.

Each line of the lock pins a package by name, version, size, sha256 and its
path in the archive's pool. The file is downloaded from that path on each
mirror in turn, never looked up in a package index, so a pin keeps working
after a point release drops its version from the index; Bazel checks it
against the sha256, and the repository cache keeps it, so it is fetched
once and works offline after.

The mirrors, in order, are the ones the Go build uses (images/debs):
$STRATA_DEBIAN_MIRRORS if set (commas or spaces between URLs); else the
host's apt sources for the locks' release, then deb.debian.org's archive
and security archive.
"""

_MIRRORS_ENV = "STRATA_DEBIAN_MIRRORS"
_CODENAME = "bookworm"
_FALLBACK_MIRRORS = ["http://deb.debian.org/debian", "http://deb.debian.org/debian-security"]
_SCHEMES = ("http://", "https://", "file://")

def _words(s):
    return [w for w in s.replace(",", " ").replace("\t", " ").replace("\n", " ").split(" ") if w]

def _dedup(items):
    out = []
    for i in items:
        if i not in out:
            out.append(i)
    return out

def _mirrors(rctx):
    env = rctx.os.environ.get(_MIRRORS_ENV)
    if env != None:
        mirrors = []
        for m in _words(env):
            if not m.startswith(_SCHEMES) or "?" in m or "#" in m:
                fail("$%s: mirror %r is not an http://, https:// or file:// URL of an archive root (e.g. http://deb.debian.org/debian)" % (_MIRRORS_ENV, m))
            mirrors.append(m.rstrip("/"))
        if not mirrors:
            fail("$%s: no mirrors given" % _MIRRORS_ENV)
        return _dedup(mirrors)
    host = []
    res = rctx.execute(["apt-get", "indextargets", "--format", "$(CODENAME) $(TARGET_OF) $(REPO_URI)"])
    if res.return_code == 0:
        for line in res.stdout.splitlines():
            f = _words(line)
            if len(f) == 3 and f[0] == _CODENAME and f[1] == "deb" and f[2].startswith(_SCHEMES):
                host.append(f[2].rstrip("/"))
    return _dedup(host + _FALLBACK_MIRRORS)

def _valid_filename(f):
    return (f.endswith(".deb") and not f.startswith("/") and not f.startswith("../") and
            "/../" not in f and "/./" not in f and "//" not in f and "?" not in f and "#" not in f)

def _debian_lock_impl(rctx):
    lock = rctx.read(rctx.attr.lock)
    lock_name = rctx.attr.lock.name
    refresh = "ore qemu update-lock " + lock_name[:-len(".lock")]
    mirrors = _mirrors(rctx)
    files = []
    for n, line in enumerate(lock.splitlines()):
        line = line.split("#")[0]
        fields = _words(line)
        if not fields:
            continue
        where = "%s:%d" % (rctx.attr.lock, n + 1)
        if len(fields) != 5:
            fail("%s: want \"name version size sha256 filename\", got %d fields (refresh the lock: %s)" % (where, len(fields), refresh))
        name, version, size, sha256, filename = fields
        if not size.isdigit() or len(sha256) != 64 or not _valid_filename(filename):
            fail("%s: %s: bad size, sha256 or filename" % (where, name))
        urls = [m + "/" + filename for m in mirrors]
        out = "%s_%s.deb" % (name, sha256[:12])
        res = rctx.download(urls, out, sha256 = sha256, allow_fail = True)
        if not res.success:
            fail(("%s: package %s version %s (%s) could not be fetched from any mirror, tried:\n  %s\n" +
                  "add a mirror that still has it ($%s, e.g. a snapshot.debian.org archive), or refresh the lock: %s") %
                 (lock_name, name, version, filename, "\n  ".join(urls), _MIRRORS_ENV, refresh))
        files.append(out)
    if not files:
        fail("%s: no packages" % rctx.attr.lock)
    rctx.file("BUILD.bazel", "filegroup(\n    name = \"debs\",\n    srcs = %s,\n    visibility = [\"//visibility:public\"],\n)\n" % repr(files))

debian_lock = repository_rule(
    implementation = _debian_lock_impl,
    attrs = {
        "lock": attr.label(mandatory = True, allow_single_file = True),
    },
    environ = [_MIRRORS_ENV],
    doc = "The packages of a Debian lock file, fetched by pool path and verified by sha256.",
)
