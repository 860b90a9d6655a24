package fidelity

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net/url"
	"testing"

	"cloud.google.com/go/storage"
	"github.com/strata-os/strata/providers/gce/sim"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// gcsClient is Google's Cloud Storage client pointed at a simulator the
// way its users point it at an emulator.
func gcsClient(t *testing.T, s *sim.Server, opts ...option.ClientOption) *storage.Client {
	t.Helper()
	srv := s.Start()
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	t.Setenv("STORAGE_EMULATOR_HOST", u.Host)
	c, err := storage.NewClient(context.Background(), append(opts, option.WithoutAuthentication())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// An object's life through Google's client: written in one request and
// in resumable chunks, its attributes read, read whole (the client checks
// the CRC32C the answer carries) and in part — through the XML API, as
// the client reads by default, and through the JSON API — listed by
// prefix, deleted.
func TestGCSLifecycle(t *testing.T) {
	for name, opts := range map[string][]option.ClientOption{"xml-reads": nil, "json-reads": {storage.WithJSONReads()}} {
		t.Run(name, func(t *testing.T) { gcsLifecycle(t, opts) })
	}
}

func gcsLifecycle(t *testing.T, opts []option.ClientOption) {
	s := sim.New(sim.Options{})
	s.AddBucket("kola")
	c := gcsClient(t, s, opts...)
	ctx := context.Background()
	b := c.Bucket("kola")
	if _, err := b.Attrs(ctx); err != nil {
		t.Fatalf("bucket attrs: %v", err)
	}
	small := []byte("a small object\n")
	big := make([]byte, 3<<20+17)
	rand.Read(big)
	for name, data := range map[string][]byte{"images/small.txt": small, "images/big.raw": big} {
		w := b.Object(name).NewWriter(ctx)
		w.ChunkSize = 1 << 20 // the big one goes up resumable, in chunks
		w.Metadata = map[string]string{"created-by": "strata"}
		w.SendCRC32C = true
		w.CRC32C = crc32c(data)
		if _, err := w.Write(data); err != nil {
			t.Fatalf("write %s: %v", name, err)
		}
		if err := w.Close(); err != nil {
			t.Fatalf("close %s: %v", name, err)
		}
		if a := w.Attrs(); a.Size != int64(len(data)) || a.CRC32C != crc32c(data) || a.Metadata["created-by"] != "strata" {
			t.Errorf("%s written: %+v", name, a)
		}
		a, err := b.Object(name).Attrs(ctx)
		if err != nil || a.Size != int64(len(data)) || a.Name != name || a.Bucket != "kola" {
			t.Fatalf("attrs of %s: %+v, %v", name, a, err)
		}
		r, err := b.Object(name).NewReader(ctx)
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("read %s: %d bytes, %v", name, len(got), err)
		}
		r, err = b.Object(name).NewRangeReader(ctx, 2, 5)
		if err != nil {
			t.Fatalf("range read %s: %v", name, err)
		}
		got, err = io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, data[2:7]) {
			t.Errorf("range read %s: %q, %v", name, got, err)
		}
	}
	var names []string
	it := b.Objects(ctx, &storage.Query{Prefix: "images/"})
	for {
		a, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		names = append(names, a.Name)
	}
	if len(names) != 2 {
		t.Errorf("listed %v", names)
	}
	if err := b.Object("images/small.txt").Delete(ctx); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := b.Object("images/small.txt").Attrs(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
		t.Errorf("attrs of a deleted object: %v", err)
	}
	if _, err := b.Object("nope").NewReader(ctx); !errors.Is(err, storage.ErrObjectNotExist) {
		t.Errorf("reading a missing object: %v", err)
	}
	if _, err := c.Bucket("no-such-bucket").Attrs(ctx); !errors.Is(err, storage.ErrBucketNotExist) {
		t.Errorf("a missing bucket: %v", err)
	}
}
