// Command strata-init is the init and SSH server of strata's minimal test
// image. It is kept apart from kolet so that it links nothing but what
// booting needs: under TCG every package initializer of a big binary costs
// boot time, twice (PID 1 and its services process).
//
// As PID 1 it reaps and handles reboot signals and starts itself again as
// "strata-init services" to bring the machine up (see package guestinit).
package main

import (
	"fmt"
	"os"

	"github.com/strata-os/strata/agent/guestinit"
)

func main() {
	if os.Getpid() == 1 {
		guestinit.PID1() // never returns
	}
	if len(os.Args) == 2 && os.Args[1] == guestinit.ServicesArg {
		if err := guestinit.Services(); err != nil {
			fmt.Fprintln(os.Stderr, "strata-init:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Fprintln(os.Stderr, "strata-init is the init of strata's minimal image; it runs as PID 1")
	os.Exit(2)
}
