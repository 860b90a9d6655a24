"""cloud_in_a_box_test: ci/cloud-in-a-box.sh for one cloud as a Bazel test."""

load("//images:defs.bzl", "strata_disk")

def cloud_in_a_box_test(name, cloud, format, ext, tests = [], **kwargs):
    """Declares the ignition image as the cloud's disk and a test that runs the cloud's pipeline on it.

    The test starts `ore CLOUD simulate --boot`, uploads the disk and makes
    an image of it with ore, runs kola's tests on instances of it booted in
    QEMU, collects what the run left with `ore CLOUD gc` and fails if
    anything is left. It is manual: each takes minutes of TCG, too long
    for every CI run; `bazel test //ci:all_clouds_in_a_box` runs them all.

    Args:
      name: the test's name.
      cloud: ore's and kola's name for the cloud.
      format: the disk format the cloud imports (strata_disk's format).
      ext: the disk file's extension the cloud's upload expects.
      tests: kola test patterns (default: basic.* and ignition.*).
      **kwargs: the other test attributes.
    """
    disk = name + "_disk"
    strata_disk(
        name = disk,
        image = "//images:ignition",
        format = format,
        platform = cloud,
        out = "%s/strata-ignition-%s.%s" % (disk, cloud, ext),
        # Built for the test only: not by every `bazel test //...`.
        tags = ["manual"],
    )
    native.sh_test(
        name = name,
        srcs = ["//ci:cloud-in-a-box-test.sh"],
        args = [
            cloud,
            "$(rootpath :%s)" % disk,
            "$(rootpath //tools/ore)",
            "$(rootpath //tools/kola)",
            "$(rootpath //agent/kolet)",
        ] + tests,
        data = [
            ":" + disk,
            "//ci:cloud-in-a-box.sh",
            "//ci:lib.sh",
            "//tools/ore",
            "//tools/kola",
            "//agent/kolet",
        ],
        size = "enormous",
        tags = ["manual", "qemu", "cloud-in-a-box"],
        **kwargs
    )
