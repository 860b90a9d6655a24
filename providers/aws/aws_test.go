package aws

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/conf"
	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/api"
	"github.com/strata-os/strata/providers/aws/sim"
)

func init() { pollInterval = 10 * time.Millisecond }

// simFlight starts a simulator with a "kola" security group and a flight
// against it, with credentials from the environment only.
func simFlight(t *testing.T, s *sim.Server) (platform.Flight, error) {
	t.Helper()
	srv := s.Start()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	f := Flags{Account: Account{Region: "us-east-1", Endpoint: srv.URL}, AMI: "ami-0123456789abcdef0", InstanceType: "t3.small", SecurityGroup: "kola", BootTimeout: time.Minute}
	return newFlight(context.Background(), f, platform.FlightOptions{Name: "kola-test", OutputDir: dir}, func(o *api.Options) {
		o.MaxBackoff = 20 * time.Millisecond
		o.MaxAttempts = 20
	})
}

func TestLifecycle(t *testing.T) {
	for _, throttle := range []float64{0, 0.2} {
		t.Run(map[float64]string{0: "calm", 0.2: "throttled 20%"}[throttle], func(t *testing.T) {
			s := sim.New(sim.Options{PendingDescribes: 3})
			group := s.AddSecurityGroup("kola")
			s.SetFaults(sim.Faults{ThrottleRate: throttle})
			fl, err := simFlight(t, s)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			c, err := fl.NewCluster(ctx, platform.ClusterOptions{Name: "basic.ssh", OutputDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			var ms []platform.Machine
			for i := 0; i < 3; i++ {
				m, err := c.NewMachine(ctx, conf.Script("#!/bin/sh\necho hello\n"))
				if err != nil {
					t.Fatalf("machine %d: %v", i, err)
				}
				ms = append(ms, m)
			}
			insts := s.Instances()
			if len(insts) != 3 {
				t.Fatalf("%d instances, want 3", len(insts))
			}
			key := fl.SSHKey().AuthorizedKey
			for i, in := range insts {
				if in.State != "running" || in.ID != ms[i].ID() || ms[i].IP() != in.PublicIP || ms[i].PrivateIP() != in.PrivateIP {
					t.Errorf("instance %d: %+v vs machine %s %s %s", i, in, ms[i].ID(), ms[i].IP(), ms[i].PrivateIP())
				}
				if !strings.Contains(string(in.UserData), "echo hello") || !strings.Contains(string(in.UserData), key) {
					t.Errorf("instance %d userdata lacks the script or the key:\n%s", i, in.UserData)
				}
				if in.KeyName != "kola-test" || in.Tags["CreatedBy"] != "strata" || !strings.HasPrefix(in.Tags["Name"], "kola-test-basic.ssh-") || len(in.SecurityGroups) != 1 || in.SecurityGroups[0] != group {
					t.Errorf("instance %d: key %q tags %v groups %v", i, in.KeyName, in.Tags, in.SecurityGroups)
				}
			}
			if kp := s.KeyPairs(); len(kp) != 1 || strings.TrimSpace(string(kp[0].PublicKey)) != strings.TrimSpace(key) {
				t.Errorf("key pairs: %+v", kp)
			}
			s.SetConsole(ms[0].ID(), []byte("Linux version 6.1\nlogin: "))
			if con := ms[0].ConsoleOutput(); !strings.Contains(con, "login: ") || !strings.Contains(con, "last 64 KiB") {
				t.Errorf("console: %q", con)
			}
			if _, _, err := ms[1].SSH(ctx, "true"); err == nil || !strings.Contains(err.Error(), "machine "+ms[1].ID()+" is a simulated instance") {
				t.Errorf("SSH to a simulated machine: %v", err)
			}
			if lm, ok := ms[2].(interface{ MetricLabels() map[string]string }); !ok || lm.MetricLabels()["size"] != "t3.small" || lm.MetricLabels()["region"] != "us-east-1" {
				t.Errorf("metric labels missing")
			}
			if err := fl.Destroy(ctx); err != nil {
				t.Fatal(err)
			}
			for _, in := range s.Instances() {
				if in.State != "terminated" {
					t.Errorf("after destroy: %s is %s", in.ID, in.State)
				}
			}
			if kp := s.KeyPairs(); len(kp) != 0 {
				t.Errorf("key pairs left: %+v", kp)
			}
			if throttle > 0 && s.Injected() < 3 {
				t.Errorf("only %d requests throttled", s.Injected())
			}
		})
	}
}

// A cluster whose third machine fails to launch leaves nothing once
// destroyed; the failure is terminal and names the machine.
func TestFailedCreateLeavesNothing(t *testing.T) {
	s := sim.New(sim.Options{})
	s.AddSecurityGroup("kola")
	fl, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	for i := 0; i < 2; i++ {
		if _, err := c.NewMachine(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	s.SetFaults(sim.Faults{FailAction: "RunInstances", FailCode: "VcpuLimitExceeded", FailCount: 1})
	_, err = c.NewMachine(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), "launch kola-test-x-3") || !api.IsTerminal(err) {
		t.Fatalf("third machine: %v", err)
	}
	if err := c.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	for _, in := range s.Instances() {
		if in.State != "terminated" {
			t.Errorf("%s left %s", in.ID, in.State)
		}
	}
	if n := len(s.Instances()); n != 2 {
		t.Errorf("%d instances launched, want 2", n)
	}
	if err := fl.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
}

// A launch that fails after the instance exists (here: describing it is
// refused) terminates it and names it.
func TestFailureAfterLaunchTerminates(t *testing.T) {
	s := sim.New(sim.Options{})
	s.AddSecurityGroup("kola")
	fl, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	defer fl.Destroy(ctx)
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	s.SetFaults(sim.Faults{FailAction: "DescribeInstances", FailCode: "UnauthorizedOperation", FailCount: 1})
	_, err = c.NewMachine(ctx, nil)
	insts := s.Instances()
	if len(insts) != 1 {
		t.Fatalf("%d instances", len(insts))
	}
	if err == nil || !strings.Contains(err.Error(), "machine "+insts[0].ID+" (kola-test-x-1)") || !api.IsTerminal(err) {
		t.Errorf("err = %v", err)
	}
	if insts[0].State != "terminated" || len(c.Machines()) != 0 {
		t.Errorf("instance %s, %d machines in the cluster", insts[0].State, len(c.Machines()))
	}
}

func TestFlagsAndSetupErrors(t *testing.T) {
	for _, tc := range []struct {
		mod  func(*Flags)
		want string
	}{
		{func(f *Flags) { f.AMI = "" }, "--aws-ami is required"},
		{func(f *Flags) { f.AMI = "Stable!" }, `--aws-ami "Stable!" is neither an AMI ID`},
		{func(f *Flags) { f.InstanceType = "" }, "--aws-type is empty"},
	} {
		f := Flags{AMI: "ami-0123456789abcdef0", InstanceType: "t3.small", SecurityGroup: "kola", BootTimeout: time.Minute}
		tc.mod(&f)
		if _, err := NewFlight(context.Background(), f, platform.FlightOptions{Name: "x"}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", f, err, tc.want)
		}
	}
}

// A missing security group is created with its network, tagged for GC, and
// the machines go into its subnet; the next flight finds it.
func TestMissingSecurityGroupIsCreated(t *testing.T) {
	s := sim.New(sim.Options{PendingDescribes: 1})
	fl, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	vpcs, subnets, gateways, tables := s.Networks()
	if len(vpcs) != 1 || len(subnets) != 1 || len(gateways) != 1 || len(tables) != 1 {
		t.Fatalf("network: %d vpcs, %d subnets, %d gateways, %d route tables", len(vpcs), len(subnets), len(gateways), len(tables))
	}
	vpc, sn, gw, rt := vpcs[0], subnets[0], gateways[0], tables[0]
	if gw.VpcID != vpc.VpcID || rt.Routes["0.0.0.0/0"] != gw.ID || len(rt.Subnets) != 1 || rt.Subnets[0] != sn.ID || !sn.MapPublicIP || sn.VpcID != vpc.VpcID {
		t.Errorf("network not wired: vpc %+v subnet %+v gateway %+v table %+v", vpc, sn, gw, rt)
	}
	for _, tags := range []map[string]string{vpc.Tags, sn.Tags, gw.Tags, rt.Tags} {
		if tags["CreatedBy"] != "strata" || tags["Name"] != "kola" {
			t.Errorf("untagged network resource: %v", tags)
		}
	}
	groups := s.SecurityGroups()
	if len(groups) != 1 || groups[0].Name != "kola" || groups[0].VpcID != vpc.VpcID || len(groups[0].Ingress) != 2 ||
		groups[0].Ingress[0].FromPort != "22" || groups[0].Ingress[0].CIDR != "0.0.0.0/0" || groups[0].Ingress[1].SourceGroup != groups[0].ID {
		t.Errorf("security group: %+v", groups)
	}
	ctx := context.Background()
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	if _, err := c.NewMachine(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if in := s.Instances()[0]; in.SubnetID != sn.ID || in.SecurityGroups[0] != groups[0].ID {
		t.Errorf("machine not in the network: subnet %s groups %v", in.SubnetID, in.SecurityGroups)
	}
	if err := fl.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	fl2, err := simFlight(t, s)
	if err != nil {
		t.Fatal(err)
	}
	defer fl2.Destroy(ctx)
	if vpcs, _, _, _ := s.Networks(); len(vpcs) != 1 || len(s.SecurityGroups()) != 1 {
		t.Errorf("second flight made another network: %d vpcs, %d groups", len(vpcs), len(s.SecurityGroups()))
	}
}
