package fidelity

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/strata-os/strata/providers/aws/sim"
)

func minioClient(t *testing.T, s3 *sim.S3) *minio.Client {
	t.Helper()
	srv := httptest.NewServer(s3)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	c, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4("AKIDEXAMPLE", "secret", ""), Secure: false, Region: "us-east-1", BucketLookup: minio.BucketLookupPath, TrailingHeaders: true})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// An object's life through minio-go: a bucket made, objects put in one
// request and in parts — with and without the newer x-amz-checksum-*
// headers — stat, read whole and in part, listed, removed.
func TestS3Lifecycle(t *testing.T) {
	s3 := sim.NewS3()
	c := minioClient(t, s3)
	ctx := context.Background()
	if err := c.MakeBucket(ctx, "kola-images", minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	big := make([]byte, 11<<20+5)
	rand.Read(big)
	for _, tc := range []struct {
		name     string
		data     []byte
		checksum minio.ChecksumType
	}{
		{"small.txt", []byte("a small object\n"), minio.ChecksumNone},
		{"small-crc.txt", []byte("a small object with a checksum\n"), minio.ChecksumCRC32C},
		{"big.raw", big, minio.ChecksumNone},
		{"big-crc.raw", big, minio.ChecksumCRC32C},
	} {
		info, err := c.PutObject(ctx, "kola-images", tc.name, bytes.NewReader(tc.data), int64(len(tc.data)), minio.PutObjectOptions{
			PartSize: 5 << 20, UserMetadata: map[string]string{"created-by": "strata"}, Checksum: tc.checksum, ContentType: "application/octet-stream",
		})
		if err != nil {
			t.Fatalf("put %s: %v", tc.name, err)
		}
		if info.Size != int64(len(tc.data)) {
			t.Errorf("put %s: size %d", tc.name, info.Size)
		}
		st, err := c.StatObject(ctx, "kola-images", tc.name, minio.StatObjectOptions{})
		if err != nil || st.Size != int64(len(tc.data)) || st.UserMetadata["Created-By"] != "strata" {
			t.Errorf("stat %s: %+v, %v", tc.name, st, err)
		}
		r, err := c.GetObject(ctx, "kola-images", tc.name, minio.GetObjectOptions{})
		if err != nil {
			t.Fatalf("get %s: %v", tc.name, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, tc.data) {
			t.Errorf("get %s: %d bytes, %v", tc.name, len(got), err)
		}
		opts := minio.GetObjectOptions{}
		opts.SetRange(3, 9)
		r, err = c.GetObject(ctx, "kola-images", tc.name, opts)
		if err != nil {
			t.Fatalf("range get %s: %v", tc.name, err)
		}
		got, err = io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, tc.data[3:10]) {
			t.Errorf("range get %s: %q, %v", tc.name, got, err)
		}
	}
	n := 0
	for o := range c.ListObjects(ctx, "kola-images", minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list: %v", o.Err)
		}
		n++
	}
	if n != 4 {
		t.Errorf("listed %d objects, want 4", n)
	}
	if err := c.RemoveObject(ctx, "kola-images", "small.txt", minio.RemoveObjectOptions{}); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := c.StatObject(ctx, "kola-images", "small.txt", minio.StatObjectOptions{}); minio.ToErrorResponse(err).Code != "NoSuchKey" {
		t.Errorf("stat a removed object: %v", err)
	}
	if _, err := c.ListBuckets(ctx); err != nil {
		t.Errorf("list buckets: %v", err)
	}
	if err := c.RemoveObject(ctx, "no-such-bucket", "x", minio.RemoveObjectOptions{}); minio.ToErrorResponse(err).Code != "NoSuchBucket" {
		t.Errorf("remove in a missing bucket: %v", err)
	}
}
