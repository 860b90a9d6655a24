"""strata_image: a hermetic test image built by a Bazel action."""

def _strata_image_impl(ctx):
    out = ctx.actions.declare_directory(ctx.label.name)
    args = ctx.actions.args()
    args.add("-image", ctx.attr.image)
    args.add("-out", out.path)
    if ctx.file.agent:
        args.add("-agent", ctx.file.agent)
    args.add_all(ctx.files.debs, before_each = "-deb")
    ctx.actions.run(
        executable = ctx.executable._mkimage,
        arguments = [args],
        inputs = ctx.files.debs + ([ctx.file.agent] if ctx.file.agent else []),
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
        "image": attr.string(mandatory = True, doc = "Which image: minimal or baseline."),
        "debs": attr.label(mandatory = True, doc = "The lock's packages (a debian_lock repository's :debs)."),
        "agent": attr.label(allow_single_file = True, cfg = "target", doc = "The static strata-init, for minimal."),
        "_mkimage": attr.label(default = "//images/cmd/mkimage", executable = True, cfg = "exec"),
    },
    doc = "A test image directory (image.json, kernel, initrd) that kola's --qemu-image takes.",
)
