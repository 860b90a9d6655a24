"""strata_image: a hermetic test image built by a Bazel action; strata_disk: one written as a bootable disk for a platform."""

def _strata_image_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add("-image", ctx.attr.image)
    args.add("-out", out.path)
    programs = []
    for flag, f in [("-agent", ctx.file.agent), ("-ignition", ctx.file.ignition), ("-initrd-bus", ctx.file.initrd_bus)]:
        if f:
            args.add(flag, f)
            programs.append(f)
    args.add_all(ctx.files.debs, before_each = "-deb")

    # A lock has a few hundred packages: in a file, so that a failure's
    # message is mkimage's, not a page of command line.
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    ctx.actions.run(
        executable = ctx.executable._mkimage,
        arguments = [args],
        inputs = ctx.files.debs + programs,
        outputs = [out],
        mnemonic = "StrataImage",
        progress_message = "Building image %s" % ctx.label,
        # dpkg-deb reads the packages; it lives on the host.
        use_default_shell_env = True,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

strata_image = rule(
    implementation = _strata_image_impl,
    attrs = {
        "image": attr.string(mandatory = True, doc = "Which image: minimal, baseline or ignition."),
        "debs": attr.label(mandatory = True, doc = "The lock's packages (a debian_lock repository's :debs)."),
        "agent": attr.label(allow_single_file = True, cfg = "target", doc = "The static strata-init, for minimal."),
        "ignition": attr.label(allow_single_file = True, cfg = "target", doc = "The ignition binary (//third_party/ignition), for ignition."),
        "initrd_bus": attr.label(allow_single_file = True, cfg = "target", doc = "The static strata-initrd-bus, for ignition."),
        # The target configuration, not exec: on this one platform both
        # are the host, and exec would compile the standard library and
        # the images packages a second time.
        "_mkimage": attr.label(default = "//images/cmd/mkimage", executable = True, cfg = "target"),
    },
    doc = "A test image directory (image.json, kernel, initrd) that kola's --qemu-image takes.",
)

def _strata_disk_impl(ctx):
    out = ctx.actions.declare_file(ctx.attr.out)
    image = ctx.files.image[0]
    args = ctx.actions.args()
    args.add("-from", image.path)
    args.add("-format", ctx.attr.format)
    if ctx.attr.platform:
        args.add("-platform", ctx.attr.platform)
    args.add("-out", out.path)
    args.add_all(ctx.files.boot_debs, before_each = "-deb")
    args.use_param_file("@%s", use_always = True)
    args.set_param_file_format("multiline")
    ctx.actions.run(
        executable = ctx.executable._mkimage,
        arguments = [args],
        inputs = ctx.files.boot_debs + ctx.files.image,
        outputs = [out],
        mnemonic = "StrataDisk",
        progress_message = "Writing %s as a %s disk" % (ctx.attr.image.label, ctx.attr.format),
        # qemu-img, sgdisk and mkfs write the disk; they live on the host.
        use_default_shell_env = True,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

strata_disk = rule(
    implementation = _strata_disk_impl,
    attrs = {
        "image": attr.label(mandatory = True, doc = "A strata_image target."),
        "format": attr.string(mandatory = True, doc = "The disk format: raw, qcow2, vhd, vmdk, ova or gce-tar."),
        "platform": attr.string(doc = "The platform the image is for (its ignition.platform.id); only for the ignition image."),
        "out": attr.string(mandatory = True, doc = "The disk's file name, with the extension the cloud's upload expects."),
        "boot_debs": attr.label(default = "@debian_boot//:debs", doc = "boot.lock's packages (the boot loaders)."),
        "_mkimage": attr.label(default = "//images/cmd/mkimage", executable = True, cfg = "target"),
    },
    doc = "A strata image as a bootable disk file (BIOS and UEFI) for a platform.",
)
