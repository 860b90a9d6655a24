// Command kola runs strata's tests of operating-system images on a platform:
//
//	kola list                      # the registered tests
//	kola run -p qemu 'basic.*'     # run some of them
//
// Exit status: 0 all passed, 1 a test failed, 2 bad usage or test
// definitions, 3 the platform failed, 130 interrupted.
package main

import (
	"os"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/core/register"
	_ "github.com/strata-os/strata/testsuites/all"
)

func main() {
	a := &app{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		providers: platform.Default,
		tests:     register.Default,
		exit:      os.Exit,
	}
	os.Exit(a.main(os.Args[1:]))
}
