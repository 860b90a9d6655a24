module github.com/strata-os/strata/tools

go 1.26.0

require github.com/strata-os/strata/core v0.0.0

replace github.com/strata-os/strata/core => ../core

require github.com/strata-os/strata/testsuites v0.0.0

replace github.com/strata-os/strata/testsuites => ../testsuites
