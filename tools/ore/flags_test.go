package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// The simulators take the account flags of their cloud's command: each
// is either used (it shows in what the simulator serves) or refused.
// Other commands connect with the account, so they use them all.
func TestSimulateUsesOrRefusesEveryAccountFlag(t *testing.T) {
	var c cli
	parser, err := (&app{}).parser(&c)
	if err != nil {
		t.Fatal(err)
	}
	walked := 0
	for _, cmd := range parser.Model.Leaves(false) {
		if cmd.Name != "simulate" {
			continue
		}
		cloud := cmd.Parent.Name
		for _, f := range cmd.Parent.Flags {
			walked++
			value := "my-" + strings.TrimPrefix(f.Name, cloud+"-")
			if f.Name == cloud+"-zone" || f.Name == cloud+"-region" {
				value = "europe-west4-b"
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // serve nothing: only the banner is wanted
			var out, errOut bytes.Buffer
			a := &app{stdout: &out, stderr: &errOut, ctx: ctx}
			args := []string{cloud, "--" + f.Name, value, "simulate", "--listen", "127.0.0.1:0"}
			if f.IsBool() {
				args = []string{cloud, "--" + f.Name, "simulate", "--listen", "127.0.0.1:0"}
			}
			code := a.main(args)
			switch {
			case code == 2 && strings.Contains(errOut.String(), "--"+f.Name+": not used by "+cloud+" simulate"):
			case code == 0 && strings.Contains(out.String(), value):
			default:
				t.Errorf("ore %s: exit %d, neither refused nor used:\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
			}
		}
	}
	if walked < 6 {
		t.Errorf("only %d flags walked", walked)
	}
}
