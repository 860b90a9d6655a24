package aws

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/platform"
	"github.com/strata-os/strata/providers/aws/sim"
)

func init() { pollInterval = 10 * time.Millisecond }

// simFlight starts a simulator with a "kola" security group and a flight
// against it, with credentials from the environment only.
func simFlight(t *testing.T, s *sim.Server) (platform.Flight, error) {
	t.Helper()
	srv := s.Start()
	t.Cleanup(srv.Close)
	return newFlight(context.Background(), simFlags(t, srv.URL), platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()}, fastRetries)
}

// The console artifact says what EC2 does not keep.
func TestConsoleSaysWhatIsLost(t *testing.T) {
	b := startSim(t, sim.Options{})
	ctx := context.Background()
	fl, err := b.NewFlight(ctx, platform.FlightOptions{Name: "kola-test", OutputDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Destroy(ctx)
	c, _ := fl.NewCluster(ctx, platform.ClusterOptions{Name: "x"})
	m, err := c.NewMachine(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.s.SetConsole(m.ID(), []byte("Linux version 6.1\nlogin: "))
	if con := m.ConsoleOutput(ctx); !strings.Contains(con, "login: ") || !strings.Contains(con, "last 64 KiB") {
		t.Errorf("console: %q", con)
	}
	if _, _, err := m.SSH(ctx, "true"); err == nil || !strings.Contains(err.Error(), "machine "+m.ID()+" (") || !strings.Contains(err.Error(), ") is a simulated machine (strata's EC2 simulator)") {
		t.Errorf("SSH to a simulated machine: %v", err)
	}
	if lm, ok := m.(interface{ MetricLabels() map[string]string }); !ok || lm.MetricLabels()["size"] != "t3.small" || lm.MetricLabels()["region"] != "us-east-1" {
		t.Errorf("metric labels missing")
	}
	if in := b.s.Instances()[0]; in.Tags[CreatedByTag] != CreatedBy || in.Tags["Name"] != "kola-test-x-1" {
		t.Errorf("tags %v", in.Tags)
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
		{func(f *Flags) { f.BootTimeout = 0 }, "--aws-boot-timeout must be positive"},
		{func(f *Flags) { f.CredentialsFile = "/no/such/credentials" }, "credentials file /no/such/credentials (--aws-credentials-file): does not exist"},
	} {
		f := Flags{AMI: "ami-0123456789abcdef0", InstanceType: "t3.small", SecurityGroup: "kola", BootTimeout: time.Minute}
		tc.mod(&f)
		if _, err := NewFlight(context.Background(), f, platform.FlightOptions{Name: "x"}); !platform.IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want a usage error with %q", f, err, tc.want)
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
