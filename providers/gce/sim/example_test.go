package sim_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/gce/sim"
	compute "google.golang.org/api/compute/v1"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
)

// A project whose instance quota is used up, through Google's own API
// client: the insert is refused with Compute Engine's error, and the
// simulator counts the call and the fault.
func Example() {
	s := sim.New(sim.Options{})
	srv := s.Start()
	defer srv.Close()
	s.Faults().Set(fault.Rule{Call: "compute.instances.insert", Times: 1, Effect: fault.Error,
		Status: 403, Code: "quotaExceeded", Message: "Quota 'INSTANCES' exceeded.  Limit: 0.0 in region us-central1."})
	svc, err := compute.NewService(context.Background(), option.WithEndpoint(srv.URL+"/compute/v1/"), option.WithoutAuthentication())
	if err != nil {
		panic(err)
	}
	_, err = svc.Instances.Insert("strata-sim", "us-central1-a", &compute.Instance{Name: "kola-1"}).Do()
	var ge *googleapi.Error
	if errors.As(err, &ge) {
		fmt.Println(ge.Code, ge.Errors[0].Reason, ge.Message)
	}
	fmt.Println(s.Calls("compute.instances.insert"), "insert,", s.Injected(), "fault injected,", len(s.Instances()), "instances")
	// Output:
	// 403 quotaExceeded Quota 'INSTANCES' exceeded.  Limit: 0.0 in region us-central1.
	// 1 insert, 1 fault injected, 0 instances
}
