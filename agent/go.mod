module github.com/strata-os/strata/agent

go 1.26.0
