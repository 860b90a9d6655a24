module github.com/strata-os/strata/tools

go 1.26.0
