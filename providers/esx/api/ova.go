package api

import (
	"archive/tar"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/ovf/importer"
	"github.com/vmware/govmomi/vim25/types"
)

// OVASpec is an OVA to import.
type OVASpec struct {
	File, Name, Annotation string
	// Template marks the imported VM as a template.
	Template bool
	// Progress, if set, receives govmomi's progress lines of the upload.
	Progress io.Writer
}

// checkManifest checks every file an OVA's manifest (*.mf) names against
// its SHA-256 or SHA-1, and that the OVA has a descriptor.
func checkManifest(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sums := map[string]string{}
	var manifest []byte
	descriptor := false
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%s is not an OVA (a tar): %w", file, err)
		}
		name := path.Base(h.Name)
		switch {
		case strings.HasSuffix(name, ".mf"):
			if manifest, err = io.ReadAll(tr); err != nil {
				return err
			}
			continue
		case strings.HasSuffix(name, ".ovf"):
			descriptor = true
		}
		h256, h1 := sha256.New(), sha1.New()
		if _, err := io.Copy(io.MultiWriter(h256, h1), tr); err != nil {
			return fmt.Errorf("%s: %s: %w", file, name, err)
		}
		sums["SHA256("+name+")"] = hex.EncodeToString(h256.Sum(nil))
		sums["SHA1("+name+")"] = hex.EncodeToString(h1.Sum(nil))
	}
	if !descriptor {
		return fmt.Errorf("%s holds no OVF descriptor (*.ovf)", file)
	}
	if manifest == nil {
		return fmt.Errorf("%s holds no manifest (*.mf) to check its disks against", file)
	}
	for line := range strings.SplitSeq(strings.TrimSpace(string(manifest)), "\n") {
		entry, want, ok := strings.Cut(line, "=")
		entry, want = strings.TrimSpace(entry), strings.TrimSpace(want)
		got, known := sums[entry]
		switch {
		case !ok || !known:
			return fmt.Errorf("%s: manifest line %q names no file of the OVA", file, line)
		case !strings.EqualFold(got, want):
			return fmt.Errorf("%s: %s is %s, the manifest says %s", file, entry, got, want)
		}
	}
	return nil
}

// ImportOVA imports an OVA into the options' resource pool, datastore and
// folder: the descriptor through the OVF manager, the disks through the
// NFC lease, checked against the OVA's manifest.
func (c *Client) ImportOVA(ctx context.Context, s OVASpec) (VM, error) {
	op := "import " + s.File + " as " + s.Name
	ds, err := c.find.DatastoreOrDefault(ctx, c.opts.Datastore)
	if err != nil {
		return VM{}, &Error{Op: op + ": datastore " + quoteOrDefault(c.opts.Datastore), Fault: "NotFound", Message: err.Error(), err: err}
	}
	pool, err := c.find.ResourcePoolOrDefault(ctx, c.opts.ResourcePool)
	if err != nil {
		return VM{}, &Error{Op: op + ": resource pool " + quoteOrDefault(c.opts.ResourcePool), Fault: "NotFound", Message: err.Error(), err: err}
	}
	folder, err := c.find.FolderOrDefault(ctx, c.opts.Folder)
	if err != nil {
		return VM{}, &Error{Op: op + ": folder " + quoteOrDefault(c.opts.Folder), Fault: "NotFound", Message: err.Error(), err: err}
	}
	logf := func(string) (int, error) { return 0, nil }
	if s.Progress != nil {
		logf = func(line string) (int, error) { return io.WriteString(s.Progress, line) }
	}
	if err := checkManifest(s.File); err != nil {
		return VM{}, fmt.Errorf("%s: %w", op, err)
	}
	// The disks are checked against the manifest above, here; govmomi's
	// VerifyManifest would ask the lease for the server's digests, which
	// govmomi's simulator does not compute.
	imp := &importer.Importer{Log: logf, Name: s.Name, Client: c.vim, Finder: c.find, Datacenter: c.dc,
		Datastore: ds, ResourcePool: pool, Folder: folder,
		Archive: &importer.TapeArchive{Path: s.File, Opener: importer.Opener{Client: c.vim}}}
	name := s.Name
	// In an OVA the descriptor is found by pattern, as govc import.ova
	// does (and the manifest beside it, *.mf).
	ref, err := imp.Import(ctx, "*.ovf", importer.Options{Name: &name, Annotation: s.Annotation})
	if err != nil {
		return VM{}, wrap(op, err)
	}
	vm := object.NewVirtualMachine(c.vim, *ref)
	if s.Template {
		if err := vm.MarkAsTemplate(ctx); err != nil {
			return VM{}, wrap(op+": mark as template", err)
		}
	}
	if got, err := c.Annotation(ctx, *ref); err != nil || got != s.Annotation {
		return VM{}, fmt.Errorf("%s: the imported VM's annotation is %q, not strata's mark", op, got)
	}
	state := types.VirtualMachinePowerStatePoweredOff
	return VM{Ref: *ref, Name: s.Name, Annotation: s.Annotation, PowerState: string(state), Template: s.Template}, nil
}
