module github.com/strata-os/strata/testsuites

go 1.26.0
