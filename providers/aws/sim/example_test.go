package sim_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/aws/sim"
)

// An EC2 region whose account has no vCPU left after the first launch:
// the AWS SDK, pointed at the simulator, gets EC2's own error.
func Example() {
	s := sim.New(sim.Options{})
	srv := s.Start()
	defer srv.Close()
	s.Faults().Set(fault.Rule{Call: "RunInstances", Skip: 1, Times: 1, Effect: fault.Error,
		Code: "VcpuLimitExceeded", Message: "You have requested more vCPU capacity than your current vCPU limit of 2 allows."})
	c := ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")})
	run := &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}
	for i := 1; i <= 2; i++ {
		out, err := c.RunInstances(context.Background(), run)
		var ae smithy.APIError
		if errors.As(err, &ae) {
			fmt.Printf("launch %d: %s: %s\n", i, ae.ErrorCode(), ae.ErrorMessage())
			continue
		}
		fmt.Printf("launch %d: %s is %s\n", i, *out.Instances[0].InstanceId, out.Instances[0].State.Name)
	}
	fmt.Println(len(s.Instances()), "instance,", s.Injected(), "fault injected")
	// Output:
	// launch 1: i-00000000000000002 is pending
	// launch 2: VcpuLimitExceeded: You have requested more vCPU capacity than your current vCPU limit of 2 allows.
	// 1 instance, 1 fault injected
}
