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

// An image uploaded to S3 is imported as a snapshot (asynchronously) and
// registered as a tagged AMI; an import of a missing object fails with
// EC2's message; deleting the image deletes its snapshot.
func TestImportImage(t *testing.T) {
	s3 := sim.NewS3()
	ec2 := sim.New(sim.Options{PendingDescribes: 3, S3: s3})
	c := s3Client(t, sim.Handler(ec2, s3))
	ctx := context.Background()
	if _, err := c.EnsureBucket(ctx, "images"); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "disk.raw")
	if err := os.WriteFile(p, bytes.Repeat([]byte{1}, 6<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(p)
	defer f.Close()
	if _, err := c.Upload(ctx, "images", "disk.raw", f, UploadOptions{}); err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{"CreatedBy": "strata"}
	img, err := c.ImportImage(ctx, "images", "disk.raw", "raw", "strata-test-1", "", tags, time.Millisecond, "")
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := c.Images(ctx, tags)
	if err != nil || len(imgs) != 1 || imgs[0].ID != img.ID || imgs[0].Name != "strata-test-1" || len(imgs[0].SnapshotIDs) != 1 {
		t.Fatalf("images: %+v %v", imgs, err)
	}
	snaps, err := c.Snapshots(ctx, tags)
	if err != nil || len(snaps) != 1 || snaps[0].ID != imgs[0].SnapshotIDs[0] {
		t.Fatalf("snapshots (tagged after import): %+v %v", snaps, err)
	}
	if _, err := c.ImportImage(ctx, "images", "disk.raw", "raw", "strata-test-1", "", tags, time.Millisecond, ""); err == nil || !IsTerminal(err) || !strings.Contains(err.Error(), "InvalidAMIName.Duplicate") {
		t.Errorf("same name again: %v", err)
	}
	if _, err := c.ImportImage(ctx, "images", "nosuch.raw", "raw", "strata-test-2", "", tags, time.Millisecond, ""); err == nil || !IsTerminal(err) || !strings.Contains(err.Error(), "Unable to find the object s3://images/nosuch.raw") {
		t.Errorf("missing object: %v", err)
	}
	if err := c.DeleteImage(ctx, imgs[0]); err != nil {
		t.Fatal(err)
	}
	if len(ec2.Images()) != 0 || len(ec2.Snapshots()) != 0 { // the failed duplicate's snapshot went too
		t.Errorf("after delete: %d images, %d snapshots", len(ec2.Images()), len(ec2.Snapshots()))
	}
}
