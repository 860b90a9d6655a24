#!/bin/sh
# The test executable of kola_test (defs.bzl): the first argument is kola,
# the rest its arguments. Bazel runs it in the runfiles tree, where the
# $(rootpath ...) arguments resolve.
exec "$@"
