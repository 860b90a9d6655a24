package main

import (
	"strings"

	"github.com/alecthomas/kong"
	"github.com/strata-os/strata/core/platform"
)

// platformGroup is the help group a provider's flags are embedded under.
const platformGroupSuffix = " platform"

func platformGroup(name string) string { return name + platformGroupSuffix }

// startsMachines are the commands that start a flight, and so read the
// selected platform's flags.
var startsMachines = map[string]bool{"run": true, "spawn": true, "bootchart": true}

// usesPlatform are the commands --platform means something to: those that
// start machines, and list, which it filters.
var usesPlatform = map[string]bool{"run": true, "spawn": true, "bootchart": true, "list": true}

// checkPlatformFlags refuses a platform flag the command would ignore:
// any on a command that starts no machines, and another platform's on
// one that does. Every provider's flags parse everywhere (kong embeds them
// once), so without this `kola list --qemu-memory 4096` would succeed
// silently.
func checkPlatformFlags(kctx *kong.Context, selected string) error {
	cmd, _, _ := strings.Cut(kctx.Command(), " ")
	for _, p := range kctx.Path {
		f := p.Flag
		if f != nil && f.Name == "platform" && !usesPlatform[cmd] {
			return platform.Usagef("--platform: kola %s does not use a platform", cmd)
		}
		if f == nil || f.Group == nil {
			continue
		}
		owner, ok := strings.CutSuffix(f.Group.Title, platformGroupSuffix)
		if !ok {
			continue
		}
		switch {
		case !startsMachines[cmd]:
			return platform.Usagef("--%s: kola %s starts no machines, so it takes no platform flags", f.Name, cmd)
		case owner != selected:
			return platform.Usagef("--%s is a flag of platform %s, but the platform is %s (-p %s to use it)", f.Name, owner, selected, owner)
		}
	}
	return nil
}
