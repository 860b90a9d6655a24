package images

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/cavaliergopher/cpio"
)

// tree is an initramfs being assembled: path (no leading /) to entry.
type tree map[string]entry

type entry struct {
	mode int64 // permission bits
	dir  bool
	data []byte
	link string
}

func (t tree) dir(p string)                        { t[p] = entry{mode: 0o755, dir: true} }
func (t tree) file(p string, mode int64, d []byte) { t.parents(p); t[p] = entry{mode: mode, data: d} }
func (t tree) symlink(p, target string)            { t.parents(p); t[p] = entry{mode: 0o777, link: target} }

func (t tree) parents(p string) {
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			if _, ok := t[p[:i]]; !ok {
				t.dir(p[:i])
			}
		}
	}
}

// epoch is every entry's mtime: a fixed time keeps builds byte-identical.
var epoch = time.Unix(0, 0)

// writeCPIO writes t as an uncompressed newc archive in path order, owned
// by root. Uncompressed: under TCG the kernel unpacks it faster than it
// would inflate it.
func writeCPIO(path string, t tree) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := encodeCPIO(bw, t); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func encodeCPIO(w io.Writer, t tree) error {
	paths := make([]string, 0, len(t))
	for p := range t {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	cw := cpio.NewWriter(w)
	for _, p := range paths {
		e := t[p]
		h := &cpio.Header{Name: p, ModTime: epoch, Mode: cpio.FileMode(e.mode)}
		switch {
		case e.dir:
			h.Mode |= cpio.TypeDir
		case e.link != "":
			h.Mode |= cpio.TypeSymlink
			h.Linkname = e.link
			h.Size = int64(len(e.link))
		default:
			h.Mode |= cpio.TypeReg
			h.Size = int64(len(e.data))
		}
		if err := cw.WriteHeader(h); err != nil {
			return fmt.Errorf("cpio %s: %w", p, err)
		}
		switch {
		case e.link != "":
			_, err := cw.Write([]byte(e.link))
			if err != nil {
				return err
			}
		case !e.dir:
			if _, err := cw.Write(e.data); err != nil {
				return err
			}
		}
	}
	return cw.Close()
}
