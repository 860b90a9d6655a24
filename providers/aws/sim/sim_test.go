package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/strata-os/strata/core/cloud/fault"
)

// client is the real SDK pointed at the simulator.
func client(t *testing.T, s *Server) *ec2.Client {
	t.Helper()
	srv := s.Start()
	t.Cleanup(srv.Close)
	return ec2.New(ec2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestInstanceLifecycleThroughTheSDK(t *testing.T) {
	s := New(Options{PageSize: 2, PendingDescribes: 1})
	c := client(t, s)
	ctx := context.Background()
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("k"), PublicKeyMaterial: []byte("ssh-ed25519 AAAA test")}); err != nil {
		t.Fatal(err)
	}
	run := &ec2.RunInstancesInput{
		ImageId: aws.String("ami-1"), MinCount: aws.Int32(3), MaxCount: aws.Int32(3), KeyName: aws.String("k"),
		InstanceType: types.InstanceTypeT3Small, ClientToken: aws.String("tok"),
		UserData: aws.String(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n"))),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance,
			Tags: []types.Tag{{Key: aws.String("CreatedBy"), Value: aws.String("strata")}}}},
	}
	out, err := c.RunInstances(ctx, run)
	if err != nil || len(out.Instances) != 3 || out.Instances[0].State.Name != types.InstanceStateNamePending {
		t.Fatalf("RunInstances: %v %+v", err, out)
	}
	// The same client token is the same reservation, not three more.
	again, err := c.RunInstances(ctx, run)
	if err != nil || *again.ReservationId != *out.ReservationId || len(s.Instances()) != 3 {
		t.Fatalf("idempotent RunInstances: %v, %d instances", err, len(s.Instances()))
	}
	if got := s.Instances()[1]; string(got.UserData) != "#!/bin/sh\necho hi\n" || got.Tags["CreatedBy"] != "strata" || got.KeyName != "k" {
		t.Errorf("instance as launched: %+v", got)
	}

	states := func() map[types.InstanceStateName]int {
		t.Helper()
		n := map[types.InstanceStateName]int{}
		p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{Filters: []types.Filter{{Name: aws.String("tag:CreatedBy"), Values: []string{"strata"}}}})
		pages := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, r := range page.Reservations {
				for _, in := range r.Instances {
					n[in.State.Name]++
					if aws.ToString(in.PlatformDetails) != SimulatedPlatform {
						t.Errorf("platform details %q", aws.ToString(in.PlatformDetails))
					}
				}
			}
		}
		if pages != 2 {
			t.Errorf("%d pages of 3 instances at page size 2", pages)
		}
		return n
	}
	if n := states(); n[types.InstanceStateNamePending] != 3 {
		t.Errorf("first describe: %v", n)
	}
	if n := states(); n[types.InstanceStateNameRunning] != 3 {
		t.Errorf("second describe: %v", n)
	}

	big := strings.Repeat("x", 70<<10) + "the end"
	s.SetConsole(*out.Instances[0].InstanceId, []byte(big))
	co, err := c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: out.Instances[0].InstanceId})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := base64.StdEncoding.DecodeString(aws.ToString(co.Output)); len(b) != 64<<10 || !strings.HasSuffix(string(b), "the end") {
		t.Errorf("console: %d bytes", len(b))
	}

	ids := []string{*out.Instances[0].InstanceId, *out.Instances[1].InstanceId, *out.Instances[2].InstanceId}
	term, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: ids})
	if err != nil || term.TerminatingInstances[0].CurrentState.Name != types.InstanceStateNameShuttingDown {
		t.Fatalf("terminate: %v %+v", err, term)
	}
	if n := states(); n[types.InstanceStateNameShuttingDown] != 3 {
		t.Errorf("after terminate: %v", n)
	}
	if n := states(); n[types.InstanceStateNameTerminated] != 3 {
		t.Errorf("later: %v", n)
	}

	_, err = c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-nosuch"}})
	if apiCode(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("unknown instance: %v", err)
	}
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-1"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), KeyName: aws.String("nokey")})
	if apiCode(err) != "InvalidKeyPair.NotFound" {
		t.Errorf("unknown key: %v", err)
	}
}

// The SDK's own retries get through throttling and server errors; an
// injected client error is not retried.
func TestFaults(t *testing.T) {
	s := New(Options{})
	c := client(t, s)
	ctx := context.Background()
	s.Faults().Set(fault.Rule{Effect: fault.Throttle})
	_, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{})
	if apiCode(err) != "RequestLimitExceeded" || s.Calls("DescribeKeyPairs") < 2 {
		t.Errorf("always throttled: %v after %d calls", err, s.Calls("DescribeKeyPairs"))
	}
	s.Faults().Set(fault.Rule{Effect: fault.ServerError})
	if _, err := c.DescribeKeyPairs(ctx, &ec2.DescribeKeyPairsInput{}); apiCode(err) != "InternalError" {
		t.Errorf("always 500: %v", err)
	}
	s.Faults().Set(fault.Rule{Call: "ImportKeyPair", Times: 1, Effect: fault.Error})
	before := s.Calls("ImportKeyPair")
	_, err = c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("k"), PublicKeyMaterial: []byte("ssh-ed25519 AAAA")})
	if apiCode(err) != "UnauthorizedOperation" || s.Calls("ImportKeyPair") != before+1 {
		t.Errorf("injected failure: %v, %d calls", err, s.Calls("ImportKeyPair")-before)
	}
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("k"), PublicKeyMaterial: []byte("ssh-ed25519 AAAA")}); err != nil {
		t.Errorf("after the injected failure: %v", err)
	}
	if _, err := c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("k"), PublicKeyMaterial: []byte("ssh-ed25519 AAAA")}); apiCode(err) != "InvalidKeyPair.Duplicate" {
		t.Errorf("duplicate key: %v", err)
	}
	// A lost answer: the key pair is made, the caller hears 500.
	s.Faults().Set(fault.Rule{Call: "ImportKeyPair", Times: 1, Effect: fault.LoseAnswer})
	_, err = c.ImportKeyPair(ctx, &ec2.ImportKeyPairInput{KeyName: aws.String("k2"), PublicKeyMaterial: []byte("ssh-ed25519 AAAA")},
		func(o *ec2.Options) { o.RetryMaxAttempts = 1 })
	if apiCode(err) != "InternalError" || len(s.KeyPairs()) != 2 {
		t.Errorf("lost answer: %v, %d key pairs", err, len(s.KeyPairs()))
	}
}

// DescribeInstances checks MaxResults as EC2 does.
func TestDescribeMaxResults(t *testing.T) {
	s := New(Options{})
	c := client(t, s)
	ctx := context.Background()
	for _, tc := range []struct {
		in   *ec2.DescribeInstancesInput
		want string
	}{
		{&ec2.DescribeInstancesInput{MaxResults: aws.Int32(1000)}, ""},
		{&ec2.DescribeInstancesInput{MaxResults: aws.Int32(4)}, "InvalidParameterValue"},
		{&ec2.DescribeInstancesInput{MaxResults: aws.Int32(1001)}, "InvalidParameterValue"},
		{&ec2.DescribeInstancesInput{MaxResults: aws.Int32(5), InstanceIds: []string{"i-00000000000000001"}}, "InvalidParameterCombination"},
	} {
		if _, err := c.DescribeInstances(ctx, tc.in); apiCode(err) != tc.want {
			t.Errorf("%+v: %v, want %q", tc.in, err, tc.want)
		}
	}
}
