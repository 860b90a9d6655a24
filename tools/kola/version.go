package main

import "github.com/strata-os/strata/core/version"

func versionString() string { return version.String() }
