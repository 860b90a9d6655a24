package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/providers/aws/sim"
)

// An AMI is copied to another region of the same account: the copy is
// pending, then available, and it and its snapshot carry the tags; the
// source region is unchanged.
func TestCopyImage(t *testing.T) {
	cloud := sim.NewCloud(sim.Options{PendingDescribes: 3})
	east := cloud.Region("us-east-1")
	src := east.AddImage("flatcar-4081", east.AddSnapshot(nil, time.Now()), nil, time.Now())
	c := s3Client(t, cloud.Handler())
	west := c.InRegion("us-west-2")
	ctx := context.Background()
	img, err := west.CopyImage(ctx, "us-east-1", src, "flatcar-4081", map[string]string{"CreatedBy": "strata"}, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if img.State != "available" || img.Name != "flatcar-4081" || img.Tags["CreatedBy"] != "strata" || len(img.SnapshotIDs) != 1 {
		t.Errorf("copy: %+v", img)
	}
	w := cloud.Region("us-west-2")
	if ims, snaps := w.Images(), w.Snapshots(); len(ims) != 1 || ims[0].ID != img.ID || len(snaps) != 1 || snaps[0].Tags["CreatedBy"] != "strata" {
		t.Errorf("us-west-2 has images %+v, snapshots %+v", ims, snaps)
	}
	if len(east.Images()) != 1 || west.Region() != "us-west-2" || c.Region() != "us-east-1" {
		t.Errorf("source region changed, or the client's region did")
	}
	mine, err := west.Images(ctx, map[string]string{"CreatedBy": "strata"})
	if err != nil || len(mine) != 1 {
		t.Errorf("images in us-west-2: %+v %v", mine, err)
	}
	_, err = west.CopyImage(ctx, "us-east-1", "ami-00000000000000bad", "x", nil, time.Millisecond)
	if !IsNotFound(err) || !strings.Contains(err.Error(), "copy ami-00000000000000bad from us-east-1 to us-west-2") {
		t.Errorf("missing source: %v", err)
	}
	_, err = west.CopyImage(ctx, "us-east-1", src, "flatcar-4081", nil, time.Millisecond)
	if !IsTerminal(err) || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("same name twice: %v", err)
	}
}

// The vmimport role is made once, with the trust VM Import needs, and
// each bucket gets its own policy on it.
func TestEnsureImportRole(t *testing.T) {
	cloud := sim.NewCloud(sim.Options{})
	c := s3Client(t, cloud.Handler())
	ctx := context.Background()
	for i, tc := range []struct {
		bucket  string
		created bool
	}{{"images", true}, {"images", false}, {"more-images", false}} {
		created, err := c.EnsureImportRole(ctx, tc.bucket)
		if err != nil || created != tc.created {
			t.Fatalf("call %d: created %v, %v", i, created, err)
		}
	}
	roles := cloud.IAM.Roles()
	if len(roles) != 1 || roles[0].Name != "vmimport" || !strings.Contains(roles[0].TrustPolicy, `"Service":"vmie.amazonaws.com"`) || !strings.Contains(roles[0].TrustPolicy, `"sts:Externalid":"vmimport"`) {
		t.Fatalf("roles: %+v", roles)
	}
	if p := roles[0].Policies; len(p) != 2 || !strings.Contains(p["vmimport-images"], `"arn:aws:s3:::images/*"`) || !strings.Contains(p["vmimport-more-images"], "arn:aws:s3:::more-images") {
		t.Errorf("policies: %v", p)
	}
}
