package fidelity

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/googleapis/gax-go/v2/apierror"
	"github.com/strata-os/strata/providers/gce/sim"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/protobuf/proto"
)

// computeOpts point Google's generated Compute Engine REST clients at a
// simulator.
func computeOpts(t *testing.T, s *sim.Server) []option.ClientOption {
	t.Helper()
	srv := s.Start()
	t.Cleanup(srv.Close)
	return []option.ClientOption{option.WithEndpoint(srv.URL), option.WithoutAuthentication()}
}

// restClient makes one of Google's generated REST clients for the
// simulator opts point at, closed when the test ends.
func restClient[C interface{ Close() error }](t *testing.T, opts []option.ClientOption, newClient func(context.Context, ...option.ClientOption) (C, error)) C {
	t.Helper()
	c, err := newClient(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// An instance's life through Google's cloud.google.com/go/compute client:
// inserted and waited for through its operation, read, listed by label,
// its serial port read, deleted and waited for, then gone (404); images
// found by family; a missing network is a 404.
func TestComputeLifecycle(t *testing.T) {
	s := sim.New(sim.Options{OperationPolls: 2})
	s.AddImage("kinvolk-public", "flatcar-stable-1", "flatcar-stable", nil, time.Now().Add(-time.Hour))
	opts := computeOpts(t, s)
	ctx := context.Background()
	instances := restClient(t, opts, compute.NewInstancesRESTClient)
	images := restClient(t, opts, compute.NewImagesRESTClient)
	networks := restClient(t, opts, compute.NewNetworksRESTClient)

	img, err := images.GetFromFamily(ctx, &computepb.GetFromFamilyImageRequest{Project: "kinvolk-public", Family: "flatcar-stable"})
	if err != nil || img.GetName() != "flatcar-stable-1" {
		t.Fatalf("image from family: %v, %v", img, err)
	}
	const project, zone = "strata-sim", "us-central1-a"
	in := &computepb.Instance{
		Name:        proto.String("fidelity-1"),
		MachineType: proto.String("zones/" + zone + "/machineTypes/e2-small"),
		Labels:      map[string]string{"created-by": "strata"},
		Disks: []*computepb.AttachedDisk{{
			Boot: proto.Bool(true), AutoDelete: proto.Bool(true),
			InitializeParams: &computepb.AttachedDiskInitializeParams{SourceImage: img.SelfLink},
		}},
		NetworkInterfaces: []*computepb.NetworkInterface{{
			Network:       proto.String("global/networks/default"),
			AccessConfigs: []*computepb.AccessConfig{{Name: proto.String("External NAT"), Type: proto.String("ONE_TO_ONE_NAT")}},
		}},
		Metadata: &computepb.Metadata{Items: []*computepb.Items{{Key: proto.String("user-data"), Value: proto.String("#!/bin/sh\n")}}},
	}
	op, err := instances.Insert(ctx, &computepb.InsertInstanceRequest{Project: project, Zone: zone, InstanceResource: in, RequestId: proto.String("7f2c9c4e-5b7e-4a53-9d1e-000000000001")})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
	started := op.Proto().GetId()
	if err := op.Wait(ctx); err != nil {
		t.Fatalf("wait for the insert: %v", err)
	}
	if !op.Done() {
		t.Errorf("operation %s not done after Wait", op.Name())
	}
	if started == 0 || op.Proto().GetId() != started {
		t.Errorf("the operation's id changed from %d to %d between answers", started, op.Proto().GetId())
	}
	var got *computepb.Instance
	for i := 0; i < 10; i++ {
		if got, err = instances.Get(ctx, &computepb.GetInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1"}); err != nil {
			t.Fatalf("get: %v", err)
		}
		if got.GetStatus() == "RUNNING" {
			break
		}
	}
	if got.GetStatus() != "RUNNING" || got.GetLabels()["created-by"] != "strata" || len(got.GetNetworkInterfaces()) != 1 ||
		got.GetNetworkInterfaces()[0].GetNetworkIP() == "" || !strings.HasSuffix(got.GetMachineType(), "/e2-small") {
		t.Errorf("instance: %v", got)
	}
	// Labels changed with the fingerprint read; a stale one is refused.
	lop, err := instances.SetLabels(ctx, &computepb.SetLabelsInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1",
		InstancesSetLabelsRequestResource: &computepb.InstancesSetLabelsRequest{Labels: map[string]string{"created-by": "strata", "strata-kept": "yes"}, LabelFingerprint: got.LabelFingerprint}})
	if err != nil {
		t.Fatalf("set labels: %v", err)
	}
	if err := lop.Wait(ctx); err != nil {
		t.Fatalf("wait for set labels: %v", err)
	}
	if again, err := instances.Get(ctx, &computepb.GetInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1"}); err != nil || again.GetLabels()["strata-kept"] != "yes" || again.GetLabelFingerprint() == got.GetLabelFingerprint() {
		t.Errorf("labels after set: %v, fingerprint %q (was %q), %v", again.GetLabels(), again.GetLabelFingerprint(), got.GetLabelFingerprint(), err)
	}
	_, err = instances.SetLabels(ctx, &computepb.SetLabelsInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1",
		InstancesSetLabelsRequestResource: &computepb.InstancesSetLabelsRequest{Labels: map[string]string{}, LabelFingerprint: got.LabelFingerprint}})
	var stale *apierror.APIError
	if !errors.As(err, &stale) || stale.HTTPCode() != http.StatusPreconditionFailed {
		t.Errorf("set labels with a stale fingerprint: %v", err)
	}
	var listed []string
	it := instances.List(ctx, &computepb.ListInstancesRequest{Project: project, Zone: zone, Filter: proto.String("labels.created-by=strata")})
	for {
		x, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		listed = append(listed, x.GetName())
	}
	if len(listed) != 1 || listed[0] != "fidelity-1" {
		t.Errorf("listed %v", listed)
	}
	serial, err := instances.GetSerialPortOutput(ctx, &computepb.GetSerialPortOutputInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1"})
	if err != nil || !strings.Contains(serial.GetContents(), "fidelity-1") {
		t.Errorf("serial port: %v, %v", serial, err)
	}
	op, err = instances.Delete(ctx, &computepb.DeleteInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1"})
	if err != nil {
		t.Fatalf("delete: %v", err)
	}
	if err := op.Wait(ctx); err != nil {
		t.Fatalf("wait for the delete: %v", err)
	}
	_, err = instances.Get(ctx, &computepb.GetInstanceRequest{Project: project, Zone: zone, Instance: "fidelity-1"})
	if status(err) != http.StatusNotFound {
		t.Errorf("get a deleted instance: %v", err)
	}
	_, err = networks.Get(ctx, &computepb.GetNetworkRequest{Project: project, Network: "nope"})
	if status(err) != http.StatusNotFound {
		t.Errorf("get a missing network: %v", err)
	}
	if s.Instances() != nil && len(s.Instances()) != 0 {
		t.Errorf("left: %v", s.Instances())
	}
}

func status(err error) int {
	var ae *apierror.APIError
	if errors.As(err, &ae) {
		return ae.HTTPCode()
	}
	return 0
}

// operations.wait, called as such through Google's generated clients
// (their Operation.Wait polls with get instead): a zonal and a global
// deletion's wait answers DONE, and the resource is gone after it.
func TestComputeOperationsWait(t *testing.T) {
	s := sim.New(sim.Options{OperationPolls: 3})
	const project, zone = "strata-sim", "us-central1-a"
	s.AddInstance("waited-1", nil, time.Now())
	s.AddImage(project, "waited-image", "", nil, time.Now())
	opts := computeOpts(t, s)
	ctx := context.Background()
	instances := restClient(t, opts, compute.NewInstancesRESTClient)
	images := restClient(t, opts, compute.NewImagesRESTClient)
	zoneOps := restClient(t, opts, compute.NewZoneOperationsRESTClient)
	globalOps := restClient(t, opts, compute.NewGlobalOperationsRESTClient)

	op, err := instances.Delete(ctx, &computepb.DeleteInstanceRequest{Project: project, Zone: zone, Instance: "waited-1"})
	if err != nil {
		t.Fatal(err)
	}
	zop, err := zoneOps.Wait(ctx, &computepb.WaitZoneOperationRequest{Project: project, Zone: zone, Operation: op.Name()})
	if err != nil || zop.GetStatus() != computepb.Operation_DONE {
		t.Fatalf("zone operation wait: %v, %v", zop.GetStatus(), err)
	}
	if _, err := instances.Get(ctx, &computepb.GetInstanceRequest{Project: project, Zone: zone, Instance: "waited-1"}); status(err) != http.StatusNotFound {
		t.Errorf("instance after the wait: %v, want 404", err)
	}
	op, err = images.Delete(ctx, &computepb.DeleteImageRequest{Project: project, Image: "waited-image"})
	if err != nil {
		t.Fatal(err)
	}
	gop, err := globalOps.Wait(ctx, &computepb.WaitGlobalOperationRequest{Project: project, Operation: op.Name()})
	if err != nil || gop.GetStatus() != computepb.Operation_DONE {
		t.Fatalf("global operation wait: %v, %v", gop.GetStatus(), err)
	}
	if _, err := images.Get(ctx, &computepb.GetImageRequest{Project: project, Image: "waited-image"}); status(err) != http.StatusNotFound {
		t.Errorf("image after the wait: %v, want 404", err)
	}
	if _, err := zoneOps.Wait(ctx, &computepb.WaitZoneOperationRequest{Project: project, Zone: zone, Operation: "no-such-operation"}); status(err) != http.StatusNotFound {
		t.Errorf("wait on a missing operation: %v, want 404", err)
	}
}

// A release's image calls through Google's generated client: the IAM
// policy read and written with its etag (a stale etag refused), and an
// image deprecated for another, which its family then skips.
func TestComputeImageReleaseCalls(t *testing.T) {
	const project = "strata-sim"
	s := sim.New(sim.Options{OperationPolls: 1})
	s.AddImage(project, "os-1", "os-stable", nil, time.Now().Add(-2*time.Hour))
	s.AddImage(project, "os-2", "os-stable", nil, time.Now().Add(-time.Hour))
	opts := computeOpts(t, s)
	ctx := context.Background()
	images := restClient(t, opts, compute.NewImagesRESTClient)

	policy, err := images.GetIamPolicy(ctx, &computepb.GetIamPolicyImageRequest{Project: project, Resource: "os-2"})
	if err != nil || len(policy.GetBindings()) != 0 {
		t.Fatalf("a new image's policy: %v, %v", policy, err)
	}
	policy.Bindings = append(policy.Bindings, &computepb.Binding{Role: proto.String("roles/compute.imageUser"), Members: []string{"allAuthenticatedUsers"}})
	set, err := images.SetIamPolicy(ctx, &computepb.SetIamPolicyImageRequest{Project: project, Resource: "os-2",
		GlobalSetPolicyRequestResource: &computepb.GlobalSetPolicyRequest{Policy: policy}})
	if err != nil || len(set.GetBindings()) != 1 || set.GetBindings()[0].GetMembers()[0] != "allAuthenticatedUsers" {
		t.Fatalf("set policy: %v, %v", set, err)
	}
	// The first read's etag is stale now.
	_, err = images.SetIamPolicy(ctx, &computepb.SetIamPolicyImageRequest{Project: project, Resource: "os-2",
		GlobalSetPolicyRequestResource: &computepb.GlobalSetPolicyRequest{Policy: policy}})
	var ae *apierror.APIError
	if !errors.As(err, &ae) || ae.HTTPCode() != http.StatusConflict {
		t.Errorf("a stale etag: %v", err)
	}

	op, err := images.Deprecate(ctx, &computepb.DeprecateImageRequest{Project: project, Image: "os-2",
		DeprecationStatusResource: &computepb.DeprecationStatus{State: proto.String("DEPRECATED"), Replacement: proto.String("projects/" + project + "/global/images/os-1")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := op.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	img, err := images.Get(ctx, &computepb.GetImageRequest{Project: project, Image: "os-2"})
	if err != nil || img.GetDeprecated().GetState() != "DEPRECATED" || !strings.HasSuffix(img.GetDeprecated().GetReplacement(), "/global/images/os-1") {
		t.Errorf("deprecated image: %v, %v", img.GetDeprecated(), err)
	}
	fam, err := images.GetFromFamily(ctx, &computepb.GetFromFamilyImageRequest{Project: project, Family: "os-stable"})
	if err != nil || fam.GetName() != "os-1" {
		t.Errorf("family with its newest deprecated: %v, %v", fam.GetName(), err)
	}
}
