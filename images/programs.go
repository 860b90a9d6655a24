package images

import (
	"fmt"
	"os"
)

// Programs an image is built with, by the name ./ci/build.sh gives them
// in bin/.
const (
	ProgramAgent     = "strata-init"
	ProgramIgnition  = "ignition"
	ProgramInitrdBus = "strata-initrd-bus"
)

// programs are those each image needs.
var programs = map[string][]string{
	"minimal":  {ProgramAgent},
	"ignition": {ProgramIgnition, ProgramInitrdBus},
}

// path is where opts holds the program's path.
func (o *Options) path(program string) *string {
	switch program {
	case ProgramAgent:
		return &o.Agent
	case ProgramIgnition:
		return &o.Ignition
	case ProgramInitrdBus:
		return &o.InitrdBus
	}
	return nil
}

// LocatePrograms fills in each program image needs that opts does not
// name with the one beside the running program, and checks that each
// exists. A missing one's error names it and the flag (flags[program])
// that gives it, so a user of kola or ore knows what to build or pass.
func LocatePrograms(image string, opts *Options, flags map[string]string) error {
	for _, prog := range programs[image] {
		p := opts.path(prog)
		if *p == "" {
			*p = BesideProgram(prog)
		}
		if _, err := os.Stat(*p); err != nil {
			return fmt.Errorf("image %s needs the %s binary: %s not found (./ci/build.sh builds it into bin/, or pass %s)", image, prog, *p, flags[prog])
		}
	}
	return nil
}
