package api_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
	"github.com/strata-os/strata/providers/gce/api"
	"github.com/strata-os/strata/providers/gce/sim"
)

// simClient is a client with fast retries against a fresh simulator.
func simClient(t *testing.T, opts sim.Options) (*api.Client, *sim.Server) {
	t.Helper()
	s := sim.New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	c, err := api.New(context.Background(), api.Options{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL,
		MaxBackoff: 20 * time.Millisecond, MaxAttempts: 20, CallTimeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c, s
}

// A file of several chunks goes up through the resumable protocol —
// through throttling and server errors on the chunks — arrives whole,
// its checksum checked, with progress reported along the way.
func TestUploadResumable(t *testing.T) {
	for _, faults := range [][]fault.Rule{nil, fault.Chaos(0.2, 0.1)} {
		c, s := simClient(t, sim.Options{})
		s.AddBucket("kola")
		s.Faults().Set(faults...)
		data := make([]byte, 12<<18+123) // twelve 256 KiB chunks and a bit
		rand.Read(data)
		var progress []int64
		obj, err := c.Upload(context.Background(), api.UploadSpec{
			Bucket: "kola", Object: "images/flatcar.tar.gz", Body: bytes.NewReader(data), ChunkSize: 256 << 10,
			Metadata: map[string]string{"created-by": "strata"}, Progress: func(n int64) { progress = append(progress, n) },
		})
		if err != nil {
			t.Fatalf("faults %+v: %v", faults, err)
		}
		stored := s.Objects("kola")
		if len(stored) != 1 || !bytes.Equal(stored[0].Data, data) || stored[0].Metadata["created-by"] != "strata" || obj.Size != uint64(len(data)) {
			t.Fatalf("stored %d objects; object %+v", len(stored), obj)
		}
		if obj.URI() != "https://storage.googleapis.com/kola/images/flatcar.tar.gz" {
			t.Errorf("URI %s", obj.URI())
		}
		if len(progress) < 12 || progress[len(progress)-1] < int64(12<<18) {
			t.Errorf("progress %v", progress)
		}
		if chunks := s.Calls("storage.objects.insert"); chunks < 14 {
			t.Errorf("%d chunk requests: not resumable", chunks)
		}
		if len(faults) > 0 && s.Injected() == 0 {
			t.Errorf("no fault was injected")
		}
	}
}

// A small file goes in one request; a missing bucket is named.
func TestUploadSmallAndMissingBucket(t *testing.T) {
	c, s := simClient(t, sim.Options{})
	s.AddBucket("kola")
	if _, err := c.Upload(context.Background(), api.UploadSpec{Bucket: "kola", Object: "a", Body: strings.NewReader("hello")}); err != nil {
		t.Fatal(err)
	}
	if o := s.Objects("kola"); len(o) != 1 || string(o[0].Data) != "hello" {
		t.Errorf("objects %+v", o)
	}
	_, err := c.Upload(context.Background(), api.UploadSpec{Bucket: "nope", Object: "a", Body: strings.NewReader("hello")})
	if !api.IsNotFound(err) || !strings.Contains(err.Error(), "upload gs://nope/a: bucket nope not found") {
		t.Errorf("missing bucket: %v", err)
	}
}

// An image is made from an uploaded object by an operation that finishes
// later; one from a missing object fails terminally, naming the object.
func TestCreateImage(t *testing.T) {
	c, s := simClient(t, sim.Options{OperationPolls: 3})
	s.AddBucket("kola")
	s.AddObject("kola", "flatcar.tar.gz", []byte{0x1f, 0x8b, 8, 0}, nil, time.Now())
	s.AddObject("kola", "plain.raw", []byte("raw disk"), nil, time.Now())
	ctx := context.Background()
	op, err := c.CreateImage(ctx, api.ImageSpec{Name: "flatcar-4081", Family: "flatcar-dev", SourceURI: "https://storage.googleapis.com/kola/flatcar.tar.gz", Labels: map[string]string{"created-by": "strata"}})
	if err != nil {
		t.Fatal(err)
	}
	if done, err := c.Poll(ctx, op); done || err != nil {
		t.Fatalf("first poll: done %v, %v", done, err)
	}
	if err := c.Wait(ctx, op, time.Millisecond); err != nil {
		t.Fatal(err)
	}
	img, err := c.ImageFromFamily(ctx, "strata-sim", "flatcar-dev")
	if err != nil || img.Name != "flatcar-4081" || img.Status != "READY" {
		t.Fatalf("family: %+v, %v", img, err)
	}
	for src, want := range map[string]string{
		"gs://kola/missing.tar.gz": "The object does not exist",
		"gs://kola/plain.raw":      "not gzip-compressed",
	} {
		op, err := c.CreateImage(ctx, api.ImageSpec{Name: "bad-" + strings.NewReplacer(".", "-", "/", "-", ":", "").Replace(src[12:]), SourceURI: src})
		if err != nil {
			t.Fatal(err)
		}
		err = c.Wait(ctx, op, time.Millisecond)
		if !api.IsTerminal(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", src, err)
		}
	}
	list, err := c.Images(ctx, map[string]string{"created-by": "strata"})
	if err != nil || len(list) != 1 {
		t.Errorf("images by label: %+v, %v", list, err)
	}
	op, err = c.DeleteImage(ctx, "flatcar-4081")
	if err != nil || c.Wait(ctx, op, time.Millisecond) != nil {
		t.Fatalf("delete: %v", err)
	}
	if op, err := c.DeleteImage(ctx, "flatcar-4081"); op != nil || err != nil {
		t.Errorf("deleting a deleted image: %v %v", op, err)
	}
}

// An upload damaged on the way is refused, by Cloud Storage's check of the
// CRC32C the client sends, and the error says so; nothing is stored.
func TestUploadCorrupted(t *testing.T) {
	for _, size := range []int{100, 3 << 18} {
		c, s := simClient(t, sim.Options{})
		s.AddBucket("kola")
		s.CorruptUploads(true)
		_, err := c.Upload(context.Background(), api.UploadSpec{Bucket: "kola", Object: "a", Body: bytes.NewReader(make([]byte, size)), ChunkSize: 256 << 10})
		if err == nil || !strings.Contains(err.Error(), "doesn't match calculated CRC32C") || !api.IsTerminal(err) {
			t.Errorf("%d bytes: %v", size, err)
		}
		if o := s.Objects("kola"); len(o) != 0 {
			t.Errorf("%d bytes: stored %+v", size, o)
		}
	}
}

// BenchmarkUpload sends 256 MiB through the resumable protocol to the
// simulator in the same process, so one -cpuprofile shows the client and
// the simulator.
func BenchmarkUpload(b *testing.B) {
	const size = 256 << 20
	s := sim.New(sim.Options{})
	s.AddBucket("bench")
	srv := s.Start()
	defer srv.Close()
	c, err := api.New(context.Background(), api.Options{Project: "strata-sim", Zone: "us-central1-a", Endpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, size)
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		if _, err := c.Upload(context.Background(), api.UploadSpec{Bucket: "bench", Object: fmt.Sprintf("image-%d.tar.gz", i), Body: bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
	}
}
