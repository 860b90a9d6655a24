package api

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
)

// UploadOptions tune UploadPageBlob.
type UploadOptions struct {
	// ChunkSize bounds one Put Page: a multiple of 512, at most (and by
	// default) 4 MiB, Azure's limit.
	ChunkSize int64
	// Parallel is how many Put Page calls run at once (default 8).
	Parallel int
	// Metadata goes on the blob (names must be C# identifiers).
	Metadata map[string]string
	// Overwrite replaces a blob of the name that holds something else;
	// without it, that is an error (nobody's upload is lost by mistake).
	Overwrite bool
	// Progress is told how many of the file's bytes are done (sent, or
	// zero and so not sent, or sent by an earlier interrupted upload).
	Progress func(done, total int64)
}

// UploadResult says what an upload did.
type UploadResult struct {
	URL  string
	Size int64
	// Sent is the bytes of the Put Page bodies; Zero the bytes of zero
	// pages, which a page blob reads as zeros without being sent;
	// Resumed the bytes an interrupted upload of the same file had sent.
	Sent, Zero, Resumed int64
	MD5                 []byte
	// Complete says the blob was there whole already: nothing was sent.
	Complete bool
}

// sourceDigest and footerDigest are the metadata that name the disk a
// page blob is being filled from, so that an upload cut short is resumed
// only with the same bytes: the SHA-256 (which this machine's CPUs hash
// at twice MD5's speed) of all but the last page, and of the last page,
// a VHD's footer, which qemu-img stamps with the time and a random ID.
// So a disk converted again is the same disk, and only its footer is
// sent again.
const (
	sourceDigest = "stratasourcesha256"
	footerDigest = "stratafootersha256"
)

const (
	pageSize     = 512
	maxPageWrite = 4 << 20
)

// UploadPageBlob uploads a file (a fixed VHD) as a page blob: only its
// non-zero pages, in Put Page calls of up to ChunkSize bytes run in
// parallel, each with its MD5 for Azure to check. An upload cut short is
// resumed by the next one of the same file, which sends only the ranges
// Get Page Ranges does not report. At the end the blob's Content-MD5 is
// set to the file's MD5 and read back.
func (s *Storage) UploadPageBlob(ctx context.Context, container, name string, f *os.File, o UploadOptions) (*UploadResult, error) {
	target := s.BlobURL(container, name)
	op := fmt.Sprintf("upload %s to %s", f.Name(), target)
	if o.ChunkSize == 0 {
		o.ChunkSize = maxPageWrite
	}
	if o.ChunkSize%pageSize != 0 || o.ChunkSize <= 0 || o.ChunkSize > maxPageWrite {
		return nil, fmt.Errorf("%s: chunk size %d is not a multiple of 512 up to 4 MiB", op, o.ChunkSize)
	}
	if o.Parallel < 1 {
		o.Parallel = 8
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	size := fi.Size()
	if size == 0 || size%pageSize != 0 {
		return nil, fmt.Errorf("%s: the file is %d bytes; a page blob is a whole number of 512-byte pages", op, size)
	}
	ranges, diskSum, footerSum, err := planUpload(ctx, f, size, o.ChunkSize)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	res := &UploadResult{URL: target, Size: size}
	pb, err := s.pageBlob(container, name)
	if err != nil {
		return nil, err
	}
	md := map[string]*string{sourceDigest: to.Ptr(hex.EncodeToString(diskSum)), footerDigest: to.Ptr(hex.EncodeToString(footerSum))}
	for k, v := range o.Metadata {
		md[k] = to.Ptr(v)
	}

	var written [][2]int64
	newFooter := false // resuming a disk converted again: its footer's digest is updated at the end
	props, err := pb.GetProperties(ctx, nil)
	switch {
	case err == nil:
		same := props.BlobType != nil && *props.BlobType == blob.BlobTypePageBlob && deref(props.ContentLength) == size &&
			metadataValue(props.Metadata, sourceDigest) == hex.EncodeToString(diskSum)
		if !same && !o.Overwrite {
			return nil, fmt.Errorf("%s: the blob is there with other content (%d bytes); pass --overwrite to replace it", op, deref(props.ContentLength))
		}
		// Content-MD5 is set last: with it, and the same footer, the blob
		// is this file, whole.
		if same && len(props.ContentMD5) > 0 && metadataValue(props.Metadata, footerDigest) == hex.EncodeToString(footerSum) {
			res.Complete, res.MD5 = true, props.ContentMD5
			res.Resumed = nonZero(ranges)
			res.Zero = size - res.Resumed
			if o.Progress != nil {
				o.Progress(size, size)
			}
			return res, nil
		}
		if same {
			newFooter = metadataValue(props.Metadata, footerDigest) != hex.EncodeToString(footerSum)
			if written, err = pageRanges(ctx, pb); err != nil {
				return nil, wrap(op+": read the page ranges an earlier upload wrote", err)
			}
			break
		}
		fallthrough
	case bloberror.HasCode(err, bloberror.BlobNotFound):
		if _, err := pb.Create(ctx, size, &pageblob.CreateOptions{Metadata: md, HTTPHeaders: &blob.HTTPHeaders{BlobContentType: to.Ptr("application/octet-stream")}}); err != nil {
			return nil, wrap(op+": create the page blob", err)
		}
	default:
		return nil, wrap(op, err)
	}

	var todo [][2]int64
	for _, r := range ranges {
		if covered(written, r) && r[1] < size { // the footer always goes again
			res.Resumed += r[1] - r[0]
		} else {
			todo = append(todo, r)
		}
	}
	res.Zero = size - nonZero(ranges)
	var done atomic.Int64
	done.Store(size - nonZero(todo))
	if o.Progress != nil {
		o.Progress(done.Load(), size)
	}
	// The file's MD5, for the blob's Content-MD5, on a core of its own
	// while the pages go.
	whole := make(chan error, 1)
	wholeCtx, stopWhole := context.WithCancel(ctx)
	defer stopWhole()
	go func() {
		h := md5.New()
		_, err := io.CopyBuffer(h, ctxReader{wholeCtx, io.NewSectionReader(f, 0, size)}, make([]byte, 1<<20))
		res.MD5 = h.Sum(nil)
		whole <- err
	}()
	if err := putPages(ctx, pb, f, todo, o.Parallel, func(n int64) {
		if o.Progress != nil {
			o.Progress(done.Add(n), size)
		}
	}); err != nil {
		return nil, fmt.Errorf("%s: %w (run it again to resume)", op, err)
	}
	res.Sent = nonZero(todo)
	if err := <-whole; err != nil {
		return nil, fmt.Errorf("%s: read the file for its MD5: %w", op, err)
	}
	sum := res.MD5

	if _, err := pb.SetHTTPHeaders(ctx, blob.HTTPHeaders{BlobContentMD5: sum, BlobContentType: to.Ptr("application/octet-stream")}, nil); err != nil {
		return nil, wrap(op+": set the blob's Content-MD5", err)
	}
	if newFooter {
		if _, err := pb.SetMetadata(ctx, md, nil); err != nil {
			return nil, wrap(op+": set the blob's metadata", err)
		}
	}
	check, err := pb.GetProperties(ctx, nil)
	if err != nil {
		return nil, wrap(op+": read the blob back", err)
	}
	if deref(check.ContentLength) != size || !bytes.Equal(check.ContentMD5, sum) {
		return nil, fmt.Errorf("%s: the blob reads back as %d bytes with MD5 %x, not the file's %d bytes with MD5 %x", op, deref(check.ContentLength), check.ContentMD5, size, sum)
	}
	return res, nil
}

// planUpload reads the file once: the SHA-256 of all but its last page
// and of its last page, and its non-zero pages as [start, end) ranges of
// at most chunk bytes.
func planUpload(ctx context.Context, f *os.File, size, chunk int64) (ranges [][2]int64, diskSum, footerSum []byte, err error) {
	h := sha256.New()
	buf := make([]byte, chunk)
	var zero [pageSize]byte
	var out [][2]int64
	for off := int64(0); off < size; off += chunk {
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, err
		}
		n := min(chunk, size-off)
		if _, err := f.ReadAt(buf[:n], off); err != nil && !(errors.Is(err, io.EOF) && n == size-off) {
			return nil, nil, nil, fmt.Errorf("read at %d: %w", off, err)
		}
		if off+n == size {
			h.Write(buf[:n-pageSize])
			footer := sha256.Sum256(buf[n-pageSize : n])
			footerSum = footer[:]
		} else {
			h.Write(buf[:n])
		}
		// Runs of non-zero pages inside this chunk.
		start := int64(-1)
		for p := int64(0); p < n; p += pageSize {
			if bytes.Equal(buf[p:p+pageSize], zero[:]) {
				if start >= 0 {
					out = append(out, [2]int64{off + start, off + p})
					start = -1
				}
			} else if start < 0 {
				start = p
			}
		}
		if start >= 0 {
			out = append(out, [2]int64{off + start, off + n})
		}
	}
	return out, h.Sum(nil), footerSum, nil
}

// ctxReader stops reading when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

// metadataValue looks a metadata name up as Storage does, whatever its
// case (HTTP headers bring it back in Go's canonical case).
func metadataValue(m map[string]*string, name string) string {
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return deref(v)
		}
	}
	return ""
}

func nonZero(ranges [][2]int64) int64 {
	var n int64
	for _, r := range ranges {
		n += r[1] - r[0]
	}
	return n
}

// covered says whether r lies within one of the written ranges (which
// Azure reports merged, so a range written whole lies in one).
func covered(written [][2]int64, r [2]int64) bool {
	for _, w := range written {
		if w[0] <= r[0] && r[1] <= w[1] {
			return true
		}
	}
	return false
}

// pageRanges are the ranges of a page blob that hold data, [start, end).
func pageRanges(ctx context.Context, pb *pageblob.Client) ([][2]int64, error) {
	var out [][2]int64
	pager := pb.NewGetPageRangesPager(nil)
	for pager.More() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, r := range page.PageRange {
			out = append(out, [2]int64{deref(r.Start), deref(r.End) + 1})
		}
	}
	return out, nil
}

// putPages sends the ranges with up to parallel Put Page calls at once,
// each with its MD5; the first failure stops the rest.
func putPages(ctx context.Context, pb *pageblob.Client, f *os.File, ranges [][2]int64, parallel int, sent func(int64)) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan [2]int64)
	var wg sync.WaitGroup
	for range min(parallel, max(len(ranges), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, maxPageWrite) // the worker's, reused
			for r := range work {
				n := r[1] - r[0]
				if _, err := f.ReadAt(buf[:n], r[0]); err != nil {
					cancel(fmt.Errorf("read bytes %d-%d: %w", r[0], r[1]-1, err))
					continue
				}
				sum := md5.Sum(buf[:n])
				body := &pageBody{r: bytes.NewReader(buf[:n])}
				_, err := pb.UploadPages(ctx, body, blob.HTTPRange{Offset: r[0], Count: n},
					&pageblob.UploadPagesOptions{TransactionalValidation: blob.TransferValidationTypeMD5(sum[:])})
				body.release()
				if err != nil {
					cancel(wrap(fmt.Sprintf("put pages %d-%d", r[0], r[1]-1), err))
					continue
				}
				sent(n)
			}
		}()
	}
feed:
	for _, r := range ranges {
		select {
		case work <- r:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// pageBody is a Put Page's body over a worker's buffer. Go's transport
// may still be reading a request's body after an early answer (a 503
// before the body was read) has come back, and azcore's retries hide the
// body's Close; so once the call has returned, the body is released and
// reads no more, and the buffer can take the next range.
type pageBody struct {
	mu       sync.Mutex
	r        *bytes.Reader
	released bool
}

var errReleased = errors.New("the page body was released: its call has returned")

func (b *pageBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.released {
		return 0, errReleased
	}
	return b.r.Read(p)
}

func (b *pageBody) Seek(off int64, whence int) (int64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.released {
		return 0, errReleased
	}
	return b.r.Seek(off, whence)
}

func (b *pageBody) Close() error { return nil }

func (b *pageBody) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.released = true
}
