// Package simblob keeps the bytes a simulated cloud stores — uploaded disk
// images, the parts of multipart uploads — in temporary files, so that a
// simulator's memory stays flat in the size of what it is sent, as a real
// object store's does. Each file is unlinked as soon as it is made: it
// goes away when its last reference is released or the process ends,
// however it ends, and there is no directory for anyone to clean up.
//
// It is its own package, free of the rest of core, because every cloud's
// simulator needs the same thing (one package, not a copy per cloud).
package simblob

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"
	"sync/atomic"
)

// Blob is bytes in an unlinked temporary file. Reads (ReadAt) may run
// concurrently with each other and with an Append; writes (Append,
// Truncate) are the owner's, one at a time, and not concurrent with reads
// of what they change.
type Blob struct {
	f    *os.File
	size atomic.Int64
	refs atomic.Int32
}

// New makes an empty blob with one reference.
func New() (*Blob, error) {
	f, err := os.CreateTemp("", "strata-sim-blob-*")
	if err != nil {
		return nil, fmt.Errorf("make a simulator blob: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("make a simulator blob: unlink %s: %w", f.Name(), err)
	}
	b := &Blob{f: f}
	b.refs.Store(1)
	return b, nil
}

// ReadError is a failure to read what Append was given, as opposed to a
// failure to store it: a simulator answers the first as a bad request
// (the client's body broke off, or did not match its checksum) and the
// second as its own fault.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "read the body: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// Append copies r to the end of the blob until r ends, and says how many
// bytes it copied. A read error comes back as a *ReadError.
func (b *Blob) Append(r io.Reader) (int64, error) {
	w := io.NewOffsetWriter(b.f, b.size.Load())
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	n, err := io.CopyBuffer(w, readerOnly{r}, *buf)
	b.size.Add(n)
	var re *readFailure
	if errors.As(err, &re) {
		return n, &ReadError{re.err}
	}
	if err != nil {
		return n, fmt.Errorf("write a simulator blob: %w", err)
	}
	return n, nil
}

// copyBuffers are Append's: reads and writes of a disk image's size in
// io.Copy's 32 KiB would be a syscall each, twice over.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// readerOnly hides any WriterTo r has (io.Copy would hand it the file)
// and marks its errors, so Append can tell them from the file's.
type readerOnly struct{ r io.Reader }

type readFailure struct{ err error }

func (e *readFailure) Error() string { return e.err.Error() }

func (r readerOnly) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		return n, &readFailure{err}
	}
	return n, err
}

// Truncate cuts the blob to n bytes (n no more than its size), as a
// resumable upload does when a chunk is sent again.
func (b *Blob) Truncate(n int64) error {
	if size := b.size.Load(); n > size {
		return fmt.Errorf("truncate a simulator blob of %d bytes to %d", size, n)
	}
	if err := b.f.Truncate(n); err != nil {
		return fmt.Errorf("truncate a simulator blob: %w", err)
	}
	b.size.Store(n)
	return nil
}

// Resize sets the blob's size: growing it leaves a hole that reads as
// zeros and takes no disk (a page blob is made at its full size, then
// written a page range at a time); shrinking it cuts.
func (b *Blob) Resize(n int64) error {
	if n < 0 {
		return fmt.Errorf("resize a simulator blob to %d bytes", n)
	}
	if err := b.f.Truncate(n); err != nil {
		return fmt.Errorf("resize a simulator blob: %w", err)
	}
	b.size.Store(n)
	return nil
}

// WriteAt writes p at off, inside the blob's size (a page blob's page
// writes; a write past the end is refused, as the cloud refuses it).
func (b *Blob) WriteAt(p []byte, off int64) (int, error) {
	if size := b.size.Load(); off < 0 || off+int64(len(p)) > size {
		return 0, fmt.Errorf("write %d bytes at %d to a simulator blob of %d bytes", len(p), off, size)
	}
	n, err := b.f.WriteAt(p, off)
	if err != nil {
		return n, fmt.Errorf("write a simulator blob: %w", err)
	}
	return n, nil
}

// Size is how many bytes the blob holds.
func (b *Blob) Size() int64 { return b.size.Load() }

// ReadAt reads the blob's bytes at off.
func (b *Blob) ReadAt(p []byte, off int64) (int, error) {
	size := b.size.Load()
	if off >= size {
		return 0, io.EOF
	}
	if max := size - off; int64(len(p)) > max {
		n, err := b.f.ReadAt(p[:max], off)
		if err == nil {
			err = io.EOF
		}
		return n, err
	}
	return b.f.ReadAt(p, off)
}

// Acquire adds a reference: a reader that must outlive whoever owns the
// blob now (an object deleted while it is being downloaded) holds one.
func (b *Blob) Acquire() { b.refs.Add(1) }

// Release drops a reference; the last one closes the file, which frees
// its disk space.
func (b *Blob) Release() {
	if b.refs.Add(-1) == 0 {
		b.f.Close()
	}
}

// Joined reads several blobs as one, in order: the parts of a completed
// multipart upload are the object, without being copied into one file.
type Joined struct {
	blobs []*Blob
	ends  []int64 // ends[i] is the offset just past blobs[i]
}

// Join makes a Joined of blobs, which must not change any more.
func Join(blobs ...*Blob) *Joined {
	j := &Joined{blobs: blobs}
	var end int64
	for _, b := range blobs {
		end += b.Size()
		j.ends = append(j.ends, end)
	}
	return j
}

// Size is the sum of the blobs' sizes.
func (j *Joined) Size() int64 {
	if len(j.ends) == 0 {
		return 0
	}
	return j.ends[len(j.ends)-1]
}

// ReadAt reads across blob boundaries.
func (j *Joined) ReadAt(p []byte, off int64) (int, error) {
	read := 0
	for len(p) > 0 {
		i := sort.Search(len(j.ends), func(i int) bool { return j.ends[i] > off })
		if i == len(j.blobs) {
			return read, io.EOF
		}
		start := j.ends[i] - j.blobs[i].Size()
		n, err := j.blobs[i].ReadAt(p[:min(int64(len(p)), j.ends[i]-off)], off-start)
		read += n
		p = p[n:]
		off += int64(n)
		if err != nil && err != io.EOF {
			return read, err
		}
		if n == 0 {
			return read, io.ErrUnexpectedEOF
		}
	}
	return read, nil
}

// Open reads n bytes from off and holds a reference to every blob until
// it is closed, so the bytes stay readable even if their owner releases
// them meanwhile.
func (j *Joined) Open(off, n int64) io.ReadCloser {
	for _, b := range j.blobs {
		b.Acquire()
	}
	return &joinedReader{SectionReader: io.NewSectionReader(j, off, n), blobs: j.blobs}
}

type joinedReader struct {
	*io.SectionReader
	blobs  []*Blob
	closed atomic.Bool
}

func (r *joinedReader) Close() error {
	if r.closed.Swap(true) {
		return nil
	}
	for _, b := range r.blobs {
		b.Release()
	}
	return nil
}
