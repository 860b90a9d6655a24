"""debian_lock: the Debian packages of a lock file as a Bazel repository.

Each package of the lock (name, version, sha256 per line) is downloaded
from the URL the host's apt index gives for that exact version, and Bazel
checks it against the lock's sha256; the repository cache keeps it, so
it is fetched once and works offline after.
"""

def _debian_lock_impl(rctx):
    lock = rctx.read(rctx.attr.lock)
    files = []
    for n, line in enumerate(lock.splitlines()):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        fields = [f for f in line.replace("\t", " ").split(" ") if f]
        if len(fields) != 3:
            fail("%s:%d: want name, version and sha256" % (rctx.attr.lock, n + 1))
        name, version, sha256 = fields
        res = rctx.execute(["apt-get", "download", "--print-uris", "%s=%s" % (name, version)])
        uri = res.stdout.strip().split(" ")[0].strip("'")
        if res.return_code != 0 or not uri:
            fail("%s:%d: apt has no %s=%s (run apt-get update, or regenerate the lock): %s" %
                 (rctx.attr.lock, n + 1, name, version, res.stderr.strip()))
        out = "%s_%s.deb" % (name, sha256[:12])
        rctx.download(uri, out, sha256 = sha256)
        files.append(out)
    rctx.file("BUILD.bazel", "filegroup(\n    name = \"debs\",\n    srcs = %s,\n    visibility = [\"//visibility:public\"],\n)\n" % repr(files))

debian_lock = repository_rule(
    implementation = _debian_lock_impl,
    attrs = {
        "lock": attr.label(mandatory = True, allow_single_file = True),
    },
    doc = "The packages of a Debian lock file, verified by sha256.",
)
