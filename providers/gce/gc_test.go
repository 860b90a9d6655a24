package gce

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud"
	"github.com/strata-os/strata/providers/gce/sim"
)

// GC looks at objects only in the bucket it is given, refuses a zero
// bound and names a missing bucket. (The mixed population of every kind
// is the conformance suite's.)
func TestGCBucketAndBounds(t *testing.T) {
	b := startSim(t, sim.Options{})
	b.s.AddObject(bucket, "old.tar.gz", []byte("x"), ObjectMetadata(), time.Now().Add(-6*time.Hour))
	ctx := context.Background()
	opts := cloud.GCOptions{OlderThan: 5 * time.Hour, DryRun: true}
	if items, err := GC(ctx, b.api, "", opts); err != nil || len(items) != 0 {
		t.Errorf("without a bucket: %v, %v", items, err)
	}
	if items, err := GC(ctx, b.api, bucket, opts); err != nil || len(items) != 1 || items[0].ID != "gs://"+bucket+"/old.tar.gz" {
		t.Errorf("with the bucket: %v, %v", items, err)
	}
	if _, err := GC(ctx, b.api, "", cloud.GCOptions{}); err == nil || !strings.Contains(err.Error(), "--duration must be positive") {
		t.Errorf("zero duration: %v", err)
	}
	if _, err := GC(ctx, b.api, "no-such-bucket", opts); err == nil || !strings.Contains(err.Error(), "bucket no-such-bucket not found") {
		t.Errorf("missing bucket: %v", err)
	}
}
