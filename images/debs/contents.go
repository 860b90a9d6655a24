package debs

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"path"
	"strings"
)

// File is a regular file or symlink from a package's data archive.
type File struct {
	Path     string // without a leading "./" or "/"
	Mode     int64
	Data     []byte
	Linkname string // for symlinks
}

// Files returns the files of the .deb at debPath for which keep returns
// true, read from dpkg-deb --fsys-tarfile (no root, nothing unpacked).
func Files(ctx context.Context, debPath string, keep func(path string) bool) ([]File, error) {
	cmd := exec.CommandContext(ctx, "dpkg-deb", "--fsys-tarfile", debPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("dpkg-deb %s: %w", debPath, err)
	}
	var files []File
	tr := tar.NewReader(out)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = cmd.Wait()
			return nil, fmt.Errorf("read %s: %w", debPath, err)
		}
		p := strings.TrimPrefix(path.Clean(strings.TrimPrefix(h.Name, "./")), "/")
		if !keep(p) {
			continue
		}
		switch h.Typeflag {
		case tar.TypeReg:
			data, err := io.ReadAll(tr)
			if err != nil {
				_ = cmd.Wait()
				return nil, fmt.Errorf("read %s from %s: %w", p, debPath, err)
			}
			files = append(files, File{Path: p, Mode: h.Mode, Data: data})
		case tar.TypeSymlink:
			files = append(files, File{Path: p, Mode: h.Mode, Linkname: h.Linkname})
		}
	}
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("dpkg-deb %s: %v: %s", debPath, err, strings.TrimSpace(stderr.String()))
	}
	return files, nil
}
