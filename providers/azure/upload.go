package azure

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/strata-os/strata/providers/azure/api"
)

// Blob metadata names must be C# identifiers, so a blob carries strata's
// marks without the tags' hyphens.
const (
	createdByMetadata = "createdby"
	createdAtMetadata = "createdat"
)

// UploadSpec is a disk image to put into a storage account as the page
// blob of a fixed VHD.
type UploadSpec struct {
	File                     string
	Account, Container, Blob string
	// CacheDir keeps a conversion to VHD until its upload is done, so an
	// interrupted upload resumes (default: the user's cache directory).
	CacheDir  string
	Overwrite bool
	Parallel  int
	Progress  func(done, total int64)
}

// UploadVHD converts the file to a fixed VHD if it is not one (raw,
// qcow2: anything qemu-img reads), makes the container if it is missing,
// and uploads the VHD's non-zero pages, resuming an upload of the same
// file that was cut short. The blob is marked as strata's, for GC.
func UploadVHD(ctx context.Context, c *api.Client, s UploadSpec) (*api.UploadResult, error) {
	st, err := c.Storage(s.Account)
	if err != nil {
		return nil, err
	}
	if s.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			dir = os.TempDir()
		}
		s.CacheDir = filepath.Join(dir, "strata", "azure-vhd")
	}
	vhd, remove, err := toFixedVHD(ctx, s.File, s.CacheDir)
	if err != nil {
		return nil, err
	}
	if _, err := st.EnsureContainer(ctx, s.Container); err != nil {
		return nil, err
	}
	f, err := os.Open(vhd)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := st.UploadPageBlob(ctx, s.Container, s.Blob, f, api.UploadOptions{
		Parallel: s.Parallel, Overwrite: s.Overwrite, Progress: s.Progress,
		Metadata: map[string]string{createdByMetadata: CreatedBy, createdAtMetadata: time.Now().UTC().Format(time.RFC3339)},
	})
	if err != nil {
		return nil, err
	}
	if remove != "" {
		if err := os.Remove(remove); err != nil {
			return res, fmt.Errorf("uploaded, but could not remove the converted VHD: %w", err)
		}
	}
	return res, nil
}
