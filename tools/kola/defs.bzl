"""kola_test: a kola run as a Bazel test target.

The target runs `kola run` on a platform with an image given as data, and
kola speaks Bazel's test protocol (core/bazel): JUnit to XML_OUTPUT_FILE,
the selected tests split over shard_count shards, console, journal and
reports in the test's undeclared outputs (bazel-testlogs/.../test.outputs),
--test_filter as a glob over test names, temporary files in TEST_TMPDIR.
"""

def kola_test(
        name,
        tests = [],
        platform = "qemu",
        image = "//images:minimal",
        parallel = "auto",
        kola = "//tools/kola",
        kolet = "//agent/kolet",
        size = "large",
        tags = [],
        **kwargs):
    """Declares a test target running kola.

    Args:
      name: the target's name.
      tests: glob patterns of kola test names (all that apply if empty).
      platform: kola's --platform.
      image: a strata_image target (images/defs.bzl), booted by qemu.
      parallel: kola's -j.
      kola: the kola binary.
      kolet: the agent copied to machines for native functions.
      size: the Bazel test size (large: machines boot under TCG).
      tags: Bazel tags; "qemu" is added, so `--test_tag_filters=-qemu`
        leaves out the targets that boot machines.
      **kwargs: shard_count, timeout, flaky and the other test attributes.
    """
    args = [
        "$(rootpath %s)" % kola,
        "run",
        "--platform=" + platform,
        "--kolet=$(rootpath %s)" % kolet,
        "--parallel=" + parallel,
    ]
    data = [kola, kolet]
    if platform == "qemu":
        args.append("--qemu-image=$(rootpath %s)" % image)
        data.append(image)
    native.sh_test(
        name = name,
        srcs = ["//tools/kola:kola_test.sh"],
        args = args + tests,
        data = data,
        size = size,
        tags = tags + ["qemu"] if platform == "qemu" else tags,
        **kwargs
    )
