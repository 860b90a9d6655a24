package api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// UploadOptions tune an upload.
type UploadOptions struct {
	// PartSize is the size of each part (default 16 MiB; at least 5 MiB,
	// S3's minimum, and large enough for at most 10,000 parts). Parts are
	// read from the file as they are sent, not held in memory.
	PartSize int64
	// Parallel is how many parts go at once (default 4).
	Parallel int
	// Progress, if set, is called with the bytes done (uploaded or found
	// uploaded) and the total, from any goroutine.
	Progress func(done, total int64)
	// Metadata is stored with the object (x-amz-meta-*); GC selects
	// uploads by it.
	Metadata map[string]string
}

// UploadResult says what an upload did.
type UploadResult struct {
	ETag  string
	Parts int
	// Resumed is how many parts an earlier, interrupted upload of the
	// same file had already sent.
	Resumed int
}

const (
	minPartSize = 5 << 20
	maxParts    = 10000
)

// Upload sends a file to s3://bucket/key as a multipart upload: parts in
// parallel, each with its MD5 for S3 to check, and the object's ETag
// checked against the parts' MD5s at the end. An interrupted upload of
// the same key is resumed: parts S3 already has with the same MD5 are not
// sent again.
func (c *Client) Upload(ctx context.Context, bucket, key string, f *os.File, o UploadOptions) (*UploadResult, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size()
	if o.PartSize == 0 {
		o.PartSize = 16 << 20
	}
	if o.Parallel <= 0 {
		o.Parallel = 4
	}
	o.PartSize = max(o.PartSize, minPartSize, (size+maxParts-1)/maxParts)
	nparts := int(max(1, (size+o.PartSize-1)/o.PartSize))
	where := fmt.Sprintf("s3://%s/%s", bucket, key)

	uploadID, have, err := c.findUpload(ctx, bucket, key)
	if err != nil {
		return nil, fmt.Errorf("upload %s: %w", where, err)
	}
	if uploadID == "" {
		cctx, cancel := c.call(ctx)
		out, err := c.s3.CreateMultipartUpload(cctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), Metadata: o.Metadata})
		cancel()
		if err != nil {
			return nil, classify("upload "+where, "bucket", bucket, err)
		}
		uploadID = aws.ToString(out.UploadId)
	}

	var done atomic.Int64
	report := func(n int64) {
		d := done.Add(n)
		if o.Progress != nil {
			o.Progress(d, size)
		}
	}
	report(0)
	md5s := make([][]byte, nparts)
	var resumed atomic.Int32
	jobs := make(chan int)
	errs := make(chan error, o.Parallel)
	var wg sync.WaitGroup
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < o.Parallel; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				off := int64(i) * o.PartSize
				n := min(o.PartSize, size-off)
				sum, err := partMD5(f, off, n)
				if err != nil {
					errs <- err
					cancel()
					return
				}
				md5s[i] = sum
				if have[int32(i+1)] == hex.EncodeToString(sum) {
					resumed.Add(1)
					report(n)
					continue
				}
				cctx, ccancel := c.call(wctx)
				_, err = c.s3.UploadPart(cctx, &s3.UploadPartInput{
					Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
					PartNumber: aws.Int32(int32(i + 1)), Body: io.NewSectionReader(f, off, n), ContentLength: aws.Int64(n),
					ContentMD5: aws.String(base64.StdEncoding.EncodeToString(sum)),
				})
				ccancel()
				if err != nil {
					errs <- classify(fmt.Sprintf("upload %s part %d of %d", where, i+1, nparts), "upload", uploadID, err)
					cancel()
					return
				}
				report(n)
			}
		}()
	}
feed:
	for i := 0; i < nparts; i++ {
		select {
		case jobs <- i:
		case <-wctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		// The parts sent stay with S3: the next upload resumes from them.
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("upload %s: %w", where, err)
	}

	var completed []s3types.CompletedPart
	whole := md5.New()
	for i, sum := range md5s {
		completed = append(completed, s3types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(`"` + hex.EncodeToString(sum) + `"`)})
		whole.Write(sum)
	}
	cctx, ccancel := c.call(ctx)
	defer ccancel()
	out, err := c.s3.CompleteMultipartUpload(cctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(uploadID),
		MultipartUpload: &s3types.CompletedMultipartUpload{Parts: completed},
	})
	if err != nil {
		return nil, classify("complete upload "+where, "upload", uploadID, err)
	}
	want := fmt.Sprintf("%s-%d", hex.EncodeToString(whole.Sum(nil)), nparts)
	if got := strings.Trim(aws.ToString(out.ETag), `"`); got != want {
		return nil, fmt.Errorf("upload %s: S3 has ETag %s, but the parts sent make %s", where, got, want)
	}
	return &UploadResult{ETag: want, Parts: nparts, Resumed: int(resumed.Load())}, nil
}

// partMD5 reads a part from the file and returns its MD5. Parts are not
// held in memory: the SDK reads the part from the file again as it sends
// it (a section of the file is seekable, for its signature and retries),
// from the page cache, so an upload's memory does not grow with its part
// size or the file's; S3 refuses a part that changed in between, by its
// Content-MD5.
func partMD5(f *os.File, off, n int64) ([]byte, error) {
	h := md5.New()
	got, err := io.Copy(h, io.NewSectionReader(f, off, n))
	if err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", f.Name(), off, err)
	}
	if got != n {
		return nil, fmt.Errorf("read %s at %d: %d bytes, want %d (did the file shrink?)", f.Name(), off, got, n)
	}
	return h.Sum(nil), nil
}

// findUpload finds an unfinished multipart upload of key and the MD5 of
// each part it holds.
func (c *Client) findUpload(ctx context.Context, bucket, key string) (string, map[int32]string, error) {
	cctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.s3.ListMultipartUploads(cctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		return "", nil, classify("list uploads in "+bucket, "bucket", bucket, err)
	}
	var ids []string
	for _, u := range out.Uploads {
		if aws.ToString(u.Key) == key {
			ids = append(ids, aws.ToString(u.UploadId))
		}
	}
	if len(ids) == 0 {
		return "", nil, nil
	}
	sort.Strings(ids)
	id := ids[len(ids)-1]
	have := map[int32]string{}
	p := s3.NewListPartsPaginator(c.s3, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id)})
	for p.HasMorePages() {
		page, err := p.NextPage(cctx)
		if err != nil {
			return "", nil, classify("list parts of an upload of "+key, "upload", id, err)
		}
		for _, part := range page.Parts {
			have[aws.ToInt32(part.PartNumber)] = strings.Trim(aws.ToString(part.ETag), `"`)
		}
	}
	return id, have, nil
}

// EnsureBucket creates the bucket unless it exists.
func (c *Client) EnsureBucket(ctx context.Context, bucket string) (created bool, err error) {
	cctx, cancel := c.call(ctx)
	defer cancel()
	if _, err := c.s3.HeadBucket(cctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)}); err == nil {
		return false, nil
	}
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if c.region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(c.region)}
	}
	if _, err := c.s3.CreateBucket(cctx, in); err != nil {
		return false, classify("create bucket "+bucket, "bucket", bucket, err)
	}
	return true, nil
}

// Object is an object in S3, with its metadata.
type Object struct {
	Bucket, Key string
	Size        int64
	Modified    time.Time
	Metadata    map[string]string
}

// Objects lists a bucket's objects with their metadata (one HEAD each:
// listing does not return it).
func (c *Client) Objects(ctx context.Context, bucket string) ([]Object, error) {
	var out []Object
	p := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		cctx, cancel := c.call(ctx)
		page, err := p.NextPage(cctx)
		cancel()
		if err != nil {
			return nil, classify("list s3://"+bucket, "bucket", bucket, err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			cctx, cancel := c.call(ctx)
			head, err := c.s3.HeadObject(cctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
			cancel()
			if err != nil {
				return nil, classify("head s3://"+bucket+"/"+key, "object", "s3://"+bucket+"/"+key, err)
			}
			out = append(out, Object{Bucket: bucket, Key: key, Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified), Metadata: head.Metadata})
		}
	}
	return out, nil
}

// DeleteObject deletes an object (S3 answers the same for a missing one).
func (c *Client) DeleteObject(ctx context.Context, bucket, key string) error {
	cctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.s3.DeleteObject(cctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return classify("delete s3://"+bucket+"/"+key, "object", "s3://"+bucket+"/"+key, err)
}

// PutObject writes a small object (an index, a manifest) whole.
func (c *Client) PutObject(ctx context.Context, bucket, key string, body []byte, contentType string, metadata map[string]string) error {
	cctx, cancel := c.call(ctx)
	defer cancel()
	_, err := c.s3.PutObject(cctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentLength: aws.Int64(int64(len(body))), ContentType: aws.String(contentType), Metadata: metadata})
	return classify("write s3://"+bucket+"/"+key, "object", "s3://"+bucket+"/"+key, err)
}

// GetObject reads a small object whole (at most max bytes); a missing
// one is a *NotFoundError.
func (c *Client) GetObject(ctx context.Context, bucket, key string, max int64) ([]byte, error) {
	where := "s3://" + bucket + "/" + key
	cctx, cancel := c.call(ctx)
	defer cancel()
	out, err := c.s3.GetObject(cctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		var nsk *s3types.NoSuchKey
		var nsb *s3types.NoSuchBucket
		switch {
		case errors.As(err, &nsk):
			return nil, fmt.Errorf("read %s: %w", where, &NotFoundError{Kind: "object", ID: where})
		case errors.As(err, &nsb):
			return nil, fmt.Errorf("read %s: %w", where, &NotFoundError{Kind: "bucket", ID: bucket})
		}
		return nil, classify("read "+where, "object", where, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", where, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("read %s: larger than %d bytes", where, max)
	}
	return data, nil
}
