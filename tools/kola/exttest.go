package main

import (
	"github.com/strata-os/strata/core/exttest"
	"github.com/strata-os/strata/core/platform"
)

// registerExternal registers the external tests of each -E directory
// beside the built-in ones; a bad test is a usage error naming it.
func (a *app) registerExternal(dirs []string) error {
	for _, dir := range dirs {
		found, err := exttest.Discover(dir)
		if err != nil {
			return platform.Usage(err)
		}
		for _, ft := range found {
			rt, err := ft.Test()
			if err != nil {
				return platform.Usage(err)
			}
			if err := a.tests.Register(rt); err != nil {
				return platform.Usagef("external test %s (%s): %v", ft.Name, ft.Executable, err)
			}
		}
		a.log.Debug("external tests registered", "dir", dir, "tests", len(found))
	}
	return nil
}
