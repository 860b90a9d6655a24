package api

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/providers/aws/sim"
)

// An import retried with its client token is the same import: one
// snapshot however often it is asked for. A release AMI is made public
// and private again; small objects are written and read whole.
func TestImportTokenPublicAndObjects(t *testing.T) {
	s3 := sim.NewS3()
	ec2 := sim.New(sim.Options{PendingDescribes: 2, S3: s3})
	c := s3Client(t, sim.Handler(ec2, s3))
	ctx := context.Background()
	if _, err := c.EnsureBucket(ctx, "images"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(p, bytes.Repeat([]byte{1}, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	if _, err := c.Upload(ctx, "images", "disk.raw", f, UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	first, err := c.ImportImage(ctx, "images", "disk.raw", "raw", "rel-a", "", nil, time.Millisecond, "release-1.2.3-us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := c.ImportImage(ctx, "images", "disk.raw", "raw", "rel-b", "", nil, time.Millisecond, "release-1.2.3-us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if first.SnapshotIDs[0] != again.SnapshotIDs[0] || len(ec2.Snapshots()) != 1 {
		t.Errorf("the same token made snapshots %s and %s (%d in all)", first.SnapshotIDs[0], again.SnapshotIDs[0], len(ec2.Snapshots()))
	}
	other, err := c.ImportImage(ctx, "images", "disk.raw", "raw", "rel-c", "", nil, time.Millisecond, "")
	if err != nil || other.SnapshotIDs[0] == first.SnapshotIDs[0] {
		t.Errorf("an import without a token: %+v, %v", other, err)
	}

	for _, public := range []bool{true, false} {
		if err := c.SetPublic(ctx, first.ID, public); err != nil {
			t.Fatal(err)
		}
		im, err := c.WaitImage(ctx, first.ID, "read back", time.Millisecond)
		if err != nil || im.Public != public {
			t.Errorf("after SetPublic(%v): %+v, %v", public, im, err)
		}
	}
	if err := c.SetPublic(ctx, "ami-0123456789abcdef0", true); !IsNotFound(err) {
		t.Errorf("SetPublic of a missing AMI: %v", err)
	}

	body := []byte(`{"amis": []}`)
	if err := c.PutObject(ctx, "images", "stable/amd64-usr/current/index.json", body, "application/json", map[string]string{"created-by": "strata"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObject(ctx, "images", "stable/amd64-usr/current/index.json", 1024)
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("GetObject: %q, %v", got, err)
	}
	if _, err := c.GetObject(ctx, "images", "stable/amd64-usr/current/index.json", 4); err == nil || !strings.Contains(err.Error(), "larger than 4 bytes") {
		t.Errorf("GetObject past its bound: %v", err)
	}
	if _, err := c.GetObject(ctx, "images", "nosuch.json", 1024); !IsNotFound(err) {
		t.Errorf("GetObject of a missing object: %v", err)
	}
}
