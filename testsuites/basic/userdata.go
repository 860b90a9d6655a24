package basic

import (
	"strings"
	"time"

	"github.com/strata-os/strata/core/cluster"
	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/register"
)

func init() {
	register.Register(register.Test{
		Name:        "basic.userdata.script",
		Description: "A #! userdata script runs at boot and sees $private_ipv4 substituted.",
		ClusterSize: 1,
		Tags:        []string{"basic", "userdata"},
		// Ignition-only distributions do not run scripts.
		ExcludeDistros: []string{"flatcar", "fcos", "strata-ignition"},
		UserData:       conf.Script("#!/bin/sh\necho \"written by userdata at $private_ipv4\" > /run/strata-userdata-test\n"),
		Run:            userdataRan,
	})
}

func userdataRan(c cluster.TestCluster) {
	m := c.Machines()[0]
	want := "written by userdata at " + m.PrivateIP()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := c.SSH(m, "cat /run/strata-userdata-test")
		if err == nil {
			if got := strings.TrimSpace(string(out)); got != want {
				c.Fatalf("userdata wrote %q, want %q", got, want)
			}
			return
		}
		if time.Now().After(deadline) {
			c.Fatalf("userdata did not write /run/strata-userdata-test within 60s: %v", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
