package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"time"

	"github.com/googleapis/gax-go/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/storage/v1"
)

// Object is what strata needs to know of a Cloud Storage object.
type Object struct {
	Bucket, Name string
	Size         uint64
	CRC32C       uint32
	Created      time.Time
	Metadata     map[string]string
}

// URI is the object's address as Compute Engine takes it for an image.
func (o *Object) URI() string {
	return fmt.Sprintf("https://storage.googleapis.com/%s/%s", o.Bucket, o.Name)
}

// UploadSpec is a file to put into Cloud Storage.
type UploadSpec struct {
	Bucket, Object string
	Body           io.Reader
	Metadata       map[string]string
	// ChunkSize is how much goes per request of the resumable upload
	// (default 8 MiB; a multiple of 256 KiB). A chunk that fails is sent
	// again, so an upload survives a broken connection or a 5xx.
	ChunkSize int
	// Progress is told how many bytes have been sent so far.
	Progress func(sent int64)
}

// castagnoli is the CRC32C table Cloud Storage checksums with.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Upload sends the body with Cloud Storage's resumable upload and checks
// the stored object's CRC32C against what was read.
func (c *Client) Upload(ctx context.Context, s UploadSpec) (*Object, error) {
	if s.ChunkSize <= 0 {
		s.ChunkSize = 8 << 20
	}
	sum := crc32.New(castagnoli)
	body := io.TeeReader(s.Body, sum)
	call := c.storage.Objects.Insert(s.Bucket, &storage.Object{Name: s.Object, Metadata: s.Metadata}).
		Media(body, googleapi.ChunkSize(s.ChunkSize), googleapi.ContentType("application/octet-stream"),
			// Cloud Storage checks the whole object's CRC32C too, and a
			// chunk stuck on a dead connection is sent again.
			googleapi.EnableAutoChecksum(), googleapi.ChunkTransferTimeout(2*time.Minute)).
		WithRetry(&gax.Backoff{Initial: c.opts.MaxBackoff / 50, Max: c.opts.MaxBackoff, Multiplier: 2}, retryable).
		Context(ctx)
	if s.Progress != nil {
		call = call.ProgressUpdater(func(current, _ int64) { s.Progress(current) })
	}
	o, err := call.Do()
	if err != nil {
		return nil, classify(fmt.Sprintf("upload gs://%s/%s", s.Bucket, s.Object), "bucket", s.Bucket, err)
	}
	obj, err := object(o)
	if err != nil {
		return nil, err
	}
	if obj.CRC32C != sum.Sum32() {
		return nil, fmt.Errorf("upload gs://%s/%s: stored CRC32C %08x, sent %08x: the object is corrupt", s.Bucket, s.Object, obj.CRC32C, sum.Sum32())
	}
	return obj, nil
}

// Bucket checks that a bucket exists (and that we may see it).
func (c *Client) Bucket(ctx context.Context, name string) error {
	return c.do(ctx, "get bucket "+name, "bucket", name, func(ctx context.Context) error {
		_, err := c.storage.Buckets.Get(name).Context(ctx).Do()
		return err
	})
}

// Object gets an object's metadata.
func (c *Client) Object(ctx context.Context, bucket, name string) (*Object, error) {
	var o *storage.Object
	err := c.do(ctx, fmt.Sprintf("get gs://%s/%s", bucket, name), "object", "gs://"+bucket+"/"+name, func(ctx context.Context) error {
		var err error
		o, err = c.storage.Objects.Get(bucket, name).Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	return object(o)
}

// Objects lists a bucket's objects under a prefix.
func (c *Client) Objects(ctx context.Context, bucket, prefix string) ([]*Object, error) {
	var out []*Object
	err := c.do(ctx, "list gs://"+bucket+"/"+prefix, "bucket", bucket, func(ctx context.Context) error {
		out = nil
		return c.storage.Objects.List(bucket).Prefix(prefix).Context(ctx).Pages(ctx, func(l *storage.Objects) error {
			for _, o := range l.Items {
				obj, err := object(o)
				if err != nil {
					return err
				}
				out = append(out, obj)
			}
			return nil
		})
	})
	return out, err
}

// DeleteObject deletes an object; no error when it is already gone.
func (c *Client) DeleteObject(ctx context.Context, bucket, name string) error {
	err := c.do(ctx, fmt.Sprintf("delete gs://%s/%s", bucket, name), "object", "gs://"+bucket+"/"+name, func(ctx context.Context) error {
		return c.storage.Objects.Delete(bucket, name).Context(ctx).Do()
	})
	if IsNotFound(err) {
		return nil
	}
	return err
}

func object(o *storage.Object) (*Object, error) {
	obj := &Object{Bucket: o.Bucket, Name: o.Name, Size: o.Size, Metadata: o.Metadata, Created: parseTime(o.TimeCreated)}
	if o.Crc32c != "" {
		b, err := base64.StdEncoding.DecodeString(o.Crc32c)
		if err != nil || len(b) != 4 {
			return nil, fmt.Errorf("gs://%s/%s: malformed crc32c %q", o.Bucket, o.Name, o.Crc32c)
		}
		obj.CRC32C = binary.BigEndian.Uint32(b)
	}
	return obj, nil
}

// PutObject writes a small object (an index, a manifest) whole.
func (c *Client) PutObject(ctx context.Context, bucket, name string, data []byte, contentType string) error {
	return c.do(ctx, fmt.Sprintf("write gs://%s/%s", bucket, name), "bucket", bucket, func(ctx context.Context) error {
		_, err := c.storage.Objects.Insert(bucket, &storage.Object{Name: name, ContentType: contentType}).
			Media(bytes.NewReader(data), googleapi.ContentType(contentType)).Context(ctx).Do()
		return err
	})
}

// ReadObject reads a small object whole (at most max bytes); a missing
// one is a *NotFoundError.
func (c *Client) ReadObject(ctx context.Context, bucket, name string, max int64) ([]byte, error) {
	where := fmt.Sprintf("gs://%s/%s", bucket, name)
	var data []byte
	err := c.do(ctx, "read "+where, "object", where, func(ctx context.Context) error {
		resp, err := c.storage.Objects.Get(bucket, name).Context(ctx).Download()
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, err = io.ReadAll(io.LimitReader(resp.Body, max+1))
		return err
	})
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes", where, max)
	}
	return data, nil
}
