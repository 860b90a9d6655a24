package azure

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Azure boots fixed VHDs only: the disk's bytes followed by a 512-byte
// footer, with a virtual size that is a whole number of MiB.
const (
	vhdFooterSize = 512
	mib           = 1 << 20
)

// fixedVHD reports whether the file is a fixed VHD Azure takes as it is.
func fixedVHD(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	size := fi.Size()
	if size < vhdFooterSize || (size-vhdFooterSize)%mib != 0 {
		return false, nil
	}
	footer := make([]byte, vhdFooterSize)
	if _, err := f.ReadAt(footer, size-vhdFooterSize); err != nil && !errors.Is(err, io.EOF) {
		return false, fmt.Errorf("read %s's last 512 bytes: %w", path, err)
	}
	const fixedDisk = 2
	return bytes.HasPrefix(footer, []byte("conectix")) && binary.BigEndian.Uint32(footer[60:64]) == fixedDisk, nil
}

// toFixedVHD returns a fixed VHD of the disk image at path: path itself
// when it is one, else a conversion by qemu-img (from raw, qcow2, or any
// format qemu-img reads), its size rounded up to a MiB. A conversion is
// kept in cacheDir under a name made of the source's path, size and
// modification time, because qemu-img stamps each VHD it writes with
// the time and a random ID: converting again would make a file whose
// MD5 no interrupted upload can be resumed with. remove deletes it once
// the upload is done ("" for path itself).
func toFixedVHD(ctx context.Context, path, cacheDir string) (vhd, remove string, err error) {
	ok, err := fixedVHD(path)
	if err != nil {
		return "", "", err
	}
	if ok {
		return path, "", nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", "", err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", "", err
	}
	key := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", abs, fi.Size(), fi.ModTime().UnixNano()))
	out := filepath.Join(cacheDir, hex.EncodeToString(key[:12])+".vhd")
	if ok, _ := fixedVHD(out); ok {
		return out, out, nil // converted by a run that did not finish
	}
	if err := os.MkdirAll(cacheDir, 0o755); err != nil {
		return "", "", fmt.Errorf("convert %s to a fixed VHD: %w", path, err)
	}
	info, err := imageInfo(ctx, path)
	if err != nil {
		return "", "", err
	}
	src, srcFormat := path, info.Format
	if info.Format != "raw" || info.VirtualSize%mib != 0 {
		// qemu-img cannot resize on its way to VHD: a raw copy first,
		// grown to the next MiB.
		raw := out + ".raw"
		defer os.Remove(raw)
		if err := qemuImg(ctx, "convert", "-f", info.Format, "-O", "raw", path, raw); err != nil {
			return "", "", fmt.Errorf("convert %s (%s) to raw: %w", path, info.Format, err)
		}
		if err := os.Truncate(raw, (info.VirtualSize+mib-1)/mib*mib); err != nil {
			return "", "", fmt.Errorf("convert %s: grow to a whole MiB: %w", path, err)
		}
		src, srcFormat = raw, "raw"
	}
	partial := out + ".partial"
	defer os.Remove(partial)
	if err := qemuImg(ctx, "convert", "-f", srcFormat, "-O", "vpc", "-o", "subformat=fixed,force_size=on", src, partial); err != nil {
		return "", "", fmt.Errorf("convert %s to a fixed VHD: %w", path, err)
	}
	if err := os.Rename(partial, out); err != nil {
		return "", "", fmt.Errorf("convert %s to a fixed VHD: %w", path, err)
	}
	if ok, err := fixedVHD(out); !ok || err != nil {
		return "", "", fmt.Errorf("convert %s: qemu-img wrote %s, which is not a fixed VHD Azure takes (%v)", path, out, err)
	}
	return out, out, nil
}

type diskInfo struct {
	Format      string `json:"format"`
	VirtualSize int64  `json:"virtual-size"`
}

func imageInfo(ctx context.Context, path string) (diskInfo, error) {
	out, err := exec.CommandContext(ctx, "qemu-img", "info", "--output=json", path).Output()
	if err != nil {
		return diskInfo{}, fmt.Errorf("qemu-img info %s: %w%s", path, err, stderrOf(err))
	}
	var d diskInfo
	if err := json.Unmarshal(out, &d); err != nil || d.Format == "" {
		return diskInfo{}, fmt.Errorf("qemu-img info %s: not the JSON it writes: %v", path, err)
	}
	return d, nil
}

func qemuImg(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, "qemu-img", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("qemu-img %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

func stderrOf(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) && len(ee.Stderr) > 0 {
		return ": " + strings.TrimSpace(string(ee.Stderr))
	}
	return ""
}
