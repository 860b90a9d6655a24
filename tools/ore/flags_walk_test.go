package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/alecthomas/kong"
)

// flagUse says, for every command and every flag it inherits from its
// cloud's or qemu's command, whether the command uses the flag or refuses
// it. A command added without saying fails TestEveryInheritedFlagIsUsedOrRefused.
var flagUse = map[string]map[string]bool{
	// Every command on an account connects with it: they use them all.
	"aws gc": nil, "aws initialize": nil, "aws upload": nil, "aws create-image": nil, "aws list-images": nil,
	"aws copy-image": nil, "aws delete-image": nil,
	"gce gc": nil, "gce upload": nil, "gce create-image": nil, "gce list-images": nil, "gce delete-images": nil,
	"gce list-instances": nil, "gce destroy-instances": nil,
	"azure gc": nil, "azure upload-blob": nil, "azure create-image": nil, "azure create-gallery-image": nil, "azure list-images": nil, "azure delete-image": nil,
	"aws simulate": {"aws-region": true, "aws-profile": false, "aws-credentials-file": false, "aws-endpoint": false},
	"gce simulate": {"gce-project": true, "gce-zone": true, "gce-json-key": false, "gce-endpoint": false},
	"do gc":        nil, "do create-image": nil, "do list-images": nil, "do delete-image": nil,
	"do simulate":  {"do-endpoint": false, "do-config-file": false, "do-context": false},
	"openstack gc": nil, "openstack create-image": nil, "openstack list-images": nil, "openstack delete-image": nil,
	"openstack simulate": {"os-cloud": false, "os-clouds-file": false, "os-region": false, "os-interface": false},
	"esx gc":             nil, "esx list": nil, "esx delete": nil, "esx upload-ova": nil,
	"esx simulate":     {"esx-server": false, "esx-user": false, "esx-password": false, "esx-config-file": false, "esx-datacenter": false, "esx-ca-file": false, "esx-insecure": false},
	"packet gc":        nil,
	"packet simulate":  {"packet-api-key": false, "packet-config-file": false, "packet-project": false, "packet-endpoint": false},
	"azure simulate":   {"azure-location": true, "azure-subscription": false, "azure-auth": false, "azure-endpoint": false, "azure-ca-file": false},
	"qemu build-image": nil,
	"qemu list-images": {"cache-dir": true, "debian-mirror": false},
	"qemu update-lock": {"cache-dir": false, "debian-mirror": false},
}

// Every (command, inherited flag) pair of ore's command line is said to
// be used or refused, and each refused one is refused with exit 2.
func TestEveryInheritedFlagIsUsedOrRefused(t *testing.T) {
	var c cli
	parser, err := (&app{}).parser(&c)
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range parser.Model.Leaves(false) {
		if cmd.Parent == nil || cmd.Parent.Type == kong.ApplicationNode || len(cmd.Parent.Flags) == 0 {
			continue
		}
		path := cmd.Path()
		uses, known := flagUse[path]
		if !known {
			t.Errorf("ore %s: say in flagUse whether it uses or refuses each of its parent's flags", path)
			continue
		}
		for _, f := range cmd.Parent.Flags {
			used, listed := uses[f.Name]
			if uses == nil {
				used, listed = true, true
			}
			if !listed {
				t.Errorf("ore %s: say in flagUse whether it uses --%s", path, f.Name)
				continue
			}
			if used {
				continue
			}
			parent, leaf, _ := strings.Cut(path, " ")
			args := []string{parent, "--" + f.Name, "x", leaf}
			if f.IsBool() {
				args = []string{parent, "--" + f.Name, leaf}
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			var out, errOut bytes.Buffer
			code := (&app{stdout: &out, stderr: &errOut, ctx: ctx}).main(append(args, sampleArgs[path]...))
			if code != 2 || !strings.Contains(errOut.String(), "--"+f.Name+": not used by "+path) {
				t.Errorf("ore %s: exit %d %s, want it refused", strings.Join(args, " "), code, errOut.String())
			}
		}
	}
}

// sampleArgs are positional arguments a command needs to parse.
var sampleArgs = map[string][]string{"qemu update-lock": {"minimal", "--dry-run"}}
