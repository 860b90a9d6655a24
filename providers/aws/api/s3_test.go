package api

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/strata-os/strata/providers/aws/sim"
)

func s3Client(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "sim")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "sim")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	c, err := New(context.Background(), Options{Region: "us-east-1", Endpoint: srv.URL, MaxBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testFile(t *testing.T, size int) *os.File {
	t.Helper()
	b := make([]byte, size)
	_, _ = rand.Read(b)
	p := filepath.Join(t.TempDir(), "image.bin")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// An upload that fails part-way resumes: the parts S3 already has are
// not sent again, and the object is byte for byte the file.
func TestUploadResumes(t *testing.T) {
	s3 := sim.NewS3()
	var parts, failAfter atomic.Int32
	failAfter.Store(3)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("partNumber") && r.Method == http.MethodPut {
			if parts.Add(1) > failAfter.Load() {
				http.Error(w, "<Error><Code>AccessDenied</Code><Message>cut off</Message></Error>", http.StatusForbidden)
				return
			}
		}
		s3.ServeHTTP(w, r)
	})
	c := s3Client(t, h)
	ctx := context.Background()
	if created, err := c.EnsureBucket(ctx, "images"); err != nil || !created {
		t.Fatalf("EnsureBucket: %v %v", created, err)
	}
	if created, err := c.EnsureBucket(ctx, "images"); err != nil || created {
		t.Fatalf("EnsureBucket again: %v %v", created, err)
	}
	f := testFile(t, 6*minPartSize+12345)
	var last atomic.Int64
	o := UploadOptions{PartSize: minPartSize, Parallel: 1, Progress: func(done, total int64) { last.Store(done) }}
	if _, err := c.Upload(ctx, "images", "a/image.bin", f, o); err == nil || !IsTerminal(err) || !strings.Contains(err.Error(), "part 4 of 7") {
		t.Fatalf("cut-off upload: %v", err)
	}
	failAfter.Store(1 << 30)
	res, err := c.Upload(ctx, "images", "a/image.bin", f, o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Parts != 7 || res.Resumed != 3 || last.Load() != 6*minPartSize+12345 {
		t.Errorf("result %+v, progress %d", res, last.Load())
	}
	got := get(t, c, "images", "a/image.bin")
	want, _ := os.ReadFile(f.Name())
	if !bytes.Equal(got, want) {
		t.Errorf("object differs from the file (%d vs %d bytes)", len(got), len(want))
	}
	if _, err := c.Upload(ctx, "nosuchbucket", "x", f, o); err == nil || !strings.Contains(err.Error(), "s3://nosuchbucket/x") {
		t.Errorf("missing bucket: %v", err)
	}
}

func get(t *testing.T, c *Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.s3.GetObject(context.Background(), &s3GetInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(out.Body); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type s3GetInput = s3.GetObjectInput

// A part the SDK sends again (S3 answered 500) is read from the file
// again, whole: the object is still the file byte for byte.
func TestUploadRetriesPartFromFile(t *testing.T) {
	s3 := sim.NewS3()
	var failed atomic.Bool
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("partNumber") == "2" && r.Method == http.MethodPut && !failed.Swap(true) {
			// Read part of the body first, as a server that fails
			// mid-request would.
			_, _ = r.Body.Read(make([]byte, 4096))
			http.Error(w, "<Error><Code>InternalError</Code><Message>try again</Message></Error>", http.StatusInternalServerError)
			return
		}
		s3.ServeHTTP(w, r)
	})
	c := s3Client(t, h)
	ctx := context.Background()
	if _, err := c.EnsureBucket(ctx, "images"); err != nil {
		t.Fatal(err)
	}
	f := testFile(t, 3*minPartSize+777)
	res, err := c.Upload(ctx, "images", "retried.bin", f, UploadOptions{PartSize: minPartSize, Parallel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !failed.Load() || res.Parts != 4 {
		t.Fatalf("part 2 never failed (%v) or parts %d", failed.Load(), res.Parts)
	}
	want, _ := os.ReadFile(f.Name())
	if got := get(t, c, "images", "retried.bin"); !bytes.Equal(got, want) {
		t.Errorf("object differs from the file (%d vs %d bytes)", len(got), len(want))
	}
}

func TestPartMD5(t *testing.T) {
	f := testFile(t, 1000)
	data, _ := os.ReadFile(f.Name())
	for _, tc := range []struct {
		off, n  int64
		wantErr string
	}{
		{0, 1000, ""},
		{600, 400, ""},
		{600, 500, "600: 400 bytes, want 500 (did the file shrink?)"},
	} {
		got, err := partMD5(f, tc.off, tc.n)
		switch {
		case tc.wantErr != "":
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), f.Name()) {
				t.Errorf("partMD5(%d, %d): %v, want an error naming the file and %q", tc.off, tc.n, err, tc.wantErr)
			}
		case err != nil:
			t.Errorf("partMD5(%d, %d): %v", tc.off, tc.n, err)
		default:
			want := md5.Sum(data[tc.off : tc.off+tc.n])
			if !bytes.Equal(got, want[:]) {
				t.Errorf("partMD5(%d, %d) = %x, want %x", tc.off, tc.n, got, want)
			}
		}
	}
}

// BenchmarkUpload sends a 256 MiB file to the S3 simulator in this
// process, so that one profile (-cpuprofile, -memprofile) shows the
// client and the simulator. Bytes per second is the upload's.
func BenchmarkUpload(b *testing.B) {
	const size = 256 << 20
	p := filepath.Join(b.TempDir(), "image.bin")
	if err := os.WriteFile(p, make([]byte, size), 0o644); err != nil {
		b.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	srv := httptest.NewServer(sim.NewS3())
	defer srv.Close()
	dir := b.TempDir()
	b.Setenv("AWS_ACCESS_KEY_ID", "sim")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "sim")
	b.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	c, err := New(context.Background(), Options{Region: "us-east-1", Endpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.EnsureBucket(ctx, "bench"); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.Upload(ctx, "bench", fmt.Sprintf("image-%d.bin", i), f, UploadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
