"""strata_image: a hermetic test image built by a Bazel action."""

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
