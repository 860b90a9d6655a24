// Package media writes the read-only discs a cloud-in-a-box machine
// boots with beside its disk: a cloud's config drive (OpenStack's
// config-2, ISO 9660) or provisioning medium (Azure's ovf-env.xml disc,
// UDF: Ignition finds it only by blkid's TYPE=udf). No Go library writes
// UDF; Debian's genisoimage writes both, so the box needs one tool and
// the providers' builds no disc library. (The qemu provider's cloud-init
// seed stays pure Go, go-diskfs: -p qemu needs no tool beyond QEMU.)
package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Formats of a disc.
const (
	ISO9660 = "iso9660"
	UDF     = "udf"
)

// Spec is a disc: its file system, volume label and files (slash-separated
// paths from its root, without a leading slash).
type Spec struct {
	Format string
	Label  string
	Files  map[string][]byte
}

// ErrNoTool is returned when the host lacks the program a format needs.
var ErrNoTool = errors.New("tool not found")

// writer writes the discs: ISO 9660 with Rock Ridge and Joliet (the long
// names Linux's isofs reads), and for UDF a UDF 1.02 volume beside it,
// which blkid reports as udf. reader reads them back (ReadFile).
const (
	writer = "genisoimage"
	reader = "isoinfo"
)

// Write makes the disc s as the file out.
func Write(ctx context.Context, out string, s Spec) error {
	for name := range s.Files {
		if name == "" || strings.HasPrefix(name, "/") || path.Clean(name) != name || strings.HasPrefix(name, "../") {
			return fmt.Errorf("disc %s: file name %q is not a clean relative path", out, name)
		}
	}
	var err error
	switch s.Format {
	case ISO9660, "":
		err = write(ctx, out, s, false)
	case UDF:
		err = write(ctx, out, s, true)
	default:
		err = fmt.Errorf("format %q is neither %s nor %s", s.Format, ISO9660, UDF)
	}
	if err != nil {
		os.Remove(out)
		return fmt.Errorf("disc %s (%s, label %q): %w", out, s.Format, s.Label, err)
	}
	return nil
}

// write stages the files in a directory and has genisoimage write them.
func write(ctx context.Context, out string, s Spec, udf bool) error {
	tool, err := exec.LookPath(writer)
	if err != nil {
		return fmt.Errorf("%w: %s writes discs (Debian's genisoimage package)", ErrNoTool, writer)
	}
	work, err := os.MkdirTemp(filepath.Dir(out), "disc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	for name, data := range s.Files {
		p := filepath.Join(work, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	args := []string{"-quiet", "-rational-rock", "-joliet", "-input-charset", "utf-8", "-o", out}
	if udf {
		args = append(args, "-udf")
	}
	if s.Label != "" {
		args = append(args, "-V", s.Label)
	}
	if b, err := exec.CommandContext(ctx, tool, append(args, work)...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w: %s", writer, err, strings.TrimSpace(string(b)))
	}
	return nil
}

// ReadFile reads a file from a disc written here, through its ISO 9660
// file system's Rock Ridge names: what a guest that mounts it reads.
func ReadFile(ctx context.Context, disc, name string) ([]byte, error) {
	tool, err := exec.LookPath(reader)
	if err != nil {
		return nil, fmt.Errorf("%w: %s reads discs (Debian's genisoimage package)", ErrNoTool, reader)
	}
	name = "/" + strings.TrimPrefix(name, "/")
	// isoinfo -x says nothing of a file that is not there: list first.
	list, err := exec.CommandContext(ctx, tool, "-R", "-f", "-i", disc).Output()
	if err != nil {
		return nil, fmt.Errorf("disc %s: %s -f: %w", disc, reader, err)
	}
	if !slices.Contains(strings.Split(string(list), "\n"), name) {
		return nil, fmt.Errorf("disc %s: %s: %w", disc, name, os.ErrNotExist)
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, "-R", "-i", disc, "-x", name)
	cmd.Stderr = &stderr
	data, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("disc %s: %s: %s: %w: %s", disc, name, reader, err, strings.TrimSpace(stderr.String()))
	}
	return data, nil
}
