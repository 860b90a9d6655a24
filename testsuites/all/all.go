// Package all links every test suite; kola and kolet import it so that both
// know the same tests (kolet runs their native functions).
package all

import (
	_ "github.com/strata-os/strata/testsuites/basic"
	_ "github.com/strata-os/strata/testsuites/ignition"
)
