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

// The multipart bookkeeping through minio-go's low-level calls: uploads
// listed a page at a time by key then start, parts listed after a
// marker, an aborted upload gone, and a completion from parts sent out of
// order and one sent twice.
func TestS3MultipartBookkeeping(t *testing.T) {
	s3 := sim.NewS3()
	c := minio.Core{Client: minioClient(t, s3)}
	ctx := context.Background()
	if err := c.MakeBucket(ctx, "kola-images", minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, key := range []string{"b.raw", "a.raw", "a.raw"} {
		id, err := c.NewMultipartUpload(ctx, "kola-images", key, minio.PutObjectOptions{})
		if err != nil {
			t.Fatalf("new upload of %s: %v", key, err)
		}
		ids = append(ids, id)
	}
	first, err := c.ListMultipartUploads(ctx, "kola-images", "", "", "", "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Uploads) != 2 || first.Uploads[0].UploadID != ids[1] || first.Uploads[1].UploadID != ids[2] || !first.IsTruncated {
		t.Fatalf("first page of uploads: %+v; want a.raw's two, in order, truncated", first)
	}
	rest, err := c.ListMultipartUploads(ctx, "kola-images", "", first.NextKeyMarker, first.NextUploadIDMarker, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Uploads) != 1 || rest.Uploads[0].Key != "b.raw" || rest.IsTruncated {
		t.Errorf("second page of uploads: %+v; want b.raw only", rest)
	}
	if err := c.AbortMultipartUpload(ctx, "kola-images", "b.raw", ids[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListObjectParts(ctx, "kola-images", "b.raw", ids[0], 0, 10); minio.ToErrorResponse(err).Code != "NoSuchUpload" {
		t.Errorf("parts of an aborted upload: %v", err)
	}

	id := ids[2]
	part := func(n int, data []byte) minio.ObjectPart {
		t.Helper()
		p, err := c.PutObjectPart(ctx, "kola-images", "a.raw", id, n, bytes.NewReader(data), int64(len(data)), minio.PutObjectPartOptions{})
		if err != nil {
			t.Fatalf("part %d: %v", n, err)
		}
		return p
	}
	one, two := make([]byte, 5<<20), []byte("the last part")
	rand.Read(one)
	p2 := part(2, two)
	part(1, []byte("replaced"))
	p1 := part(1, one)
	parts, err := c.ListObjectParts(ctx, "kola-images", "a.raw", id, 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.ObjectParts) != 1 || parts.ObjectParts[0].PartNumber != 2 || parts.ObjectParts[0].Size != int64(len(two)) {
		t.Errorf("parts after 1: %+v; want part 2", parts.ObjectParts)
	}
	if _, err := c.CompleteMultipartUpload(ctx, "kola-images", "a.raw", id, []minio.CompletePart{{PartNumber: 1, ETag: p1.ETag}, {PartNumber: 2, ETag: p2.ETag}}, minio.PutObjectOptions{}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	r, err := c.Client.GetObject(ctx, "kola-images", "a.raw", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if want := append(one, two...); err != nil || !bytes.Equal(got, want) {
		t.Errorf("object: %d bytes, %v; want %d, the parts in order", len(got), err, len(want))
	}
}
