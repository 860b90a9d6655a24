package main

// The platforms kola can run on: each provider registers itself from init.
import (
	_ "github.com/strata-os/strata/providers/aws"
	_ "github.com/strata-os/strata/providers/azure"
	_ "github.com/strata-os/strata/providers/do"
	_ "github.com/strata-os/strata/providers/esx"
	_ "github.com/strata-os/strata/providers/gce"
	_ "github.com/strata-os/strata/providers/openstack"
	_ "github.com/strata-os/strata/providers/packet"
	_ "github.com/strata-os/strata/providers/qemu"
)
