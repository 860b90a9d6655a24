module github.com/strata-os/strata/core

go 1.25.0
