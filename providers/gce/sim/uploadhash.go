package sim

import (
	"crypto/md5"
	"hash"
	"hash/crc32"
	"sync"

	"github.com/strata-os/strata/core/cloud/simblob"
)

// lagHash computes an upload's MD5 and CRC32C from its blob, behind the
// writer and off the path of the answers: a resumable upload waits for
// each chunk's answer, so hashing chunk k while chunk k+1 arrives (on
// another core) takes the hashing out of the upload's time. Only the
// last chunk's answer, which carries the hashes, waits for them.
type lagHash struct {
	blob *simblob.Blob

	mu      sync.Mutex
	idle    *sync.Cond // signalled when the hashing goroutine stops
	running bool
	target  int64 // bytes the writer has committed
	done    int64 // bytes hashed
	err     error
	md5     hash.Hash
	crc     uint32
}

func newLagHash(blob *simblob.Blob) *lagHash {
	h := &lagHash{blob: blob, md5: md5.New()}
	h.idle = sync.NewCond(&h.mu)
	return h
}

// advance says the blob's bytes up to off are written and may be hashed.
func (h *lagHash) advance(off int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.target = off
	h.start()
}

// start runs the hashing goroutine unless it runs or has nothing to do;
// it ends when it has caught up, so an upload abandoned half-way leaves
// no goroutine behind. h.mu is held.
func (h *lagHash) start() {
	if h.running || h.done >= h.target || h.err != nil {
		return
	}
	h.running = true
	go func() {
		buf := make([]byte, 1<<20)
		h.mu.Lock()
		defer h.mu.Unlock()
		for h.done < h.target {
			off, n := h.done, min(h.target-h.done, int64(len(buf)))
			h.mu.Unlock()
			got, err := h.blob.ReadAt(buf[:n], off)
			h.mu.Lock()
			if int64(got) < n {
				h.err = err
				break
			}
			h.md5.Write(buf[:got])
			h.crc = crc32.Update(h.crc, castagnoli, buf[:got])
			h.done += int64(got)
		}
		h.running = false
		h.idle.Broadcast()
	}()
}

// settle waits for the hashing goroutine to stop. h.mu is held.
func (h *lagHash) settle() {
	for h.running {
		h.idle.Wait()
	}
}

// cut takes back what was committed from off on, before the writer
// truncates the blob there: a chunk sent again overlaps what arrived, and
// a refused one is dropped. Hashes past off are redone from the start.
func (h *lagHash) cut(off int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle()
	if off < h.done {
		h.md5.Reset()
		h.crc, h.done = 0, 0
	}
	h.target = off
	h.start()
}

// sums waits until every committed byte is hashed and returns the hashes.
func (h *lagHash) sums() (sum [md5.Size]byte, crc uint32, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.start()
	h.settle()
	if h.err != nil {
		return sum, 0, h.err
	}
	h.md5.Sum(sum[:0])
	return sum, h.crc, nil
}
