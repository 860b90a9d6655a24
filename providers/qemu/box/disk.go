package box

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// diskFormats maps the names clouds give disk formats to QEMU's.
var diskFormats = map[string]string{
	"raw": "raw", "vmdk": "vmdk", "vhd": "vpc", "vpc": "vpc", "qcow2": "qcow2",
}

// QEMUFormat is QEMU's name for a cloud's disk format (EC2's RAW, VMDK,
// VHD; Glance's qcow2), or an error naming the ones it knows.
func QEMUFormat(format string) (string, error) {
	f, ok := diskFormats[strings.ToLower(format)]
	if !ok {
		return "", fmt.Errorf("disk format %q: the box boots raw, vmdk, vhd and qcow2", format)
	}
	return f, nil
}

// ImportDisk keeps a disk the cloud imported (a snapshot, an image) as
// name, from r, and returns its path. Blocks of zeros are skipped, so a
// mostly empty raw disk stays sparse. A cut-off copy leaves nothing under
// the name.
func (b *Box) ImportDisk(name string, r io.Reader) (string, error) {
	if strings.ContainsAny(name, "/\x00") || name == "" || name[0] == '.' {
		return "", fmt.Errorf("disk name %q", name)
	}
	dst := filepath.Join(b.cfg.Dir, "disks", name)
	f, err := os.CreateTemp(filepath.Dir(dst), ".part-")
	if err != nil {
		return "", fmt.Errorf("import disk %s: %w", name, err)
	}
	defer os.Remove(f.Name()) // after the rename, a no-op
	buf := make([]byte, 1<<20)
	var size int64
	for {
		n, rerr := io.ReadFull(r, buf)
		if n > 0 {
			if allZero(buf[:n]) {
				if _, err := f.Seek(int64(n), io.SeekCurrent); err != nil {
					f.Close()
					return "", fmt.Errorf("import disk %s: %w", name, err)
				}
			} else if _, err := f.Write(buf[:n]); err != nil {
				f.Close()
				return "", fmt.Errorf("import disk %s: %w", name, err)
			}
			size += int64(n)
		}
		if errors.Is(rerr, io.EOF) || errors.Is(rerr, io.ErrUnexpectedEOF) {
			break
		}
		if rerr != nil {
			f.Close()
			return "", fmt.Errorf("import disk %s: %w", name, rerr)
		}
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return "", fmt.Errorf("import disk %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("import disk %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return "", fmt.Errorf("import disk %s: %w", name, err)
	}
	return dst, nil
}

// RemoveDisk deletes a kept disk (its snapshot or image was deleted).
func (b *Box) RemoveDisk(name string) error {
	err := os.Remove(filepath.Join(b.cfg.Dir, "disks", name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return err
}

// Disks lists the kept disks, for leak checks.
func (b *Box) Disks() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(b.cfg.Dir, "disks"))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

var zeros = make([]byte, 1<<20)

func allZero(p []byte) bool { return bytes.Equal(p, zeros[:len(p)]) }
