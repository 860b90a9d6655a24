package api

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/imagedata"
	"github.com/gophercloud/gophercloud/v2/openstack/image/v2/images"
)

// Image is what strata reads of a Glance image.
type Image struct {
	ID, Name, Status, Visibility string
	DiskFormat                   string
	Tags                         []string
	Created                      time.Time
	Size                         int64
	// Checksum is Glance's MD5 of the data; HashAlgo and HashValue its
	// multihash (SHA-512 by default), where Glance has them.
	Checksum, HashAlgo, HashValue string
}

func image(im *images.Image) Image {
	out := Image{ID: im.ID, Name: im.Name, Status: string(im.Status), Visibility: string(im.Visibility), DiskFormat: im.DiskFormat,
		Tags: im.Tags, Created: im.CreatedAt, Size: im.SizeBytes, Checksum: im.Checksum}
	out.HashAlgo, _ = im.Properties["os_hash_algo"].(string)
	out.HashValue, _ = im.Properties["os_hash_value"].(string)
	return out
}

// ImageSpec is an image to make.
type ImageSpec struct {
	Name       string
	DiskFormat string // qcow2 or raw
	Tags       []string
	Properties map[string]string
}

// CreateImage makes a Glance image and uploads the file into it,
// reporting the bytes sent to progress (if set). The create names the
// image's ID itself, so a create whose answer was lost is found by it;
// a failed upload is sent again from the start while the image is
// still queued. It checks Glance's digest of what it stored against
// the file's: a mismatch deletes the image and is an error.
func (c *Client) CreateImage(ctx context.Context, spec ImageSpec, file string, progress func(sent int64)) (Image, error) {
	f, err := os.Open(file)
	if err != nil {
		return Image{}, err
	}
	defer f.Close()
	id := newUUID()
	op := fmt.Sprintf("create image %q", spec.Name)
	opts := images.CreateOpts{ID: id, Name: spec.Name, DiskFormat: spec.DiskFormat, ContainerFormat: "bare", Tags: spec.Tags, Properties: spec.Properties}
	if _, err := create(ctx, c, op, func() (struct{}, error) {
		_, err := images.Create(ctx, c.image, opts).Extract()
		return struct{}{}, err
	}, func() (struct{}, bool, error) {
		_, err := c.Image(ctx, id)
		if err != nil {
			return struct{}{}, false, gone(err)
		}
		return struct{}{}, true, nil
	}); err != nil {
		return Image{}, err
	}
	im, err := c.upload(ctx, id, f, progress)
	if err != nil {
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if derr := c.DeleteImage(dctx, id); derr != nil {
			err = fmt.Errorf("%w (and deleting the image %s: %v)", err, id, derr)
		}
		return Image{}, err
	}
	return im, nil
}

// upload sends the file's data, again while it fails transiently, and
// checks what Glance stored.
func (c *Client) upload(ctx context.Context, id string, f *os.File, progress func(int64)) (Image, error) {
	op := "upload image " + id
	for n := 0; ; n++ {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return Image{}, fmt.Errorf("%s: %w", op, err)
		}
		md, sha := md5.New(), sha512.New()
		body := &countingReader{r: io.TeeReader(f, io.MultiWriter(md, sha)), progress: progress}
		err := wrap(op, imagedata.Upload(ctx, c.image, id, body).ExtractErr())
		if err == nil {
			im, err := c.Image(ctx, id)
			if err != nil {
				return Image{}, err
			}
			return im, verify(op, im, md, sha)
		}
		if IsTerminal(err) || n >= c.opts.MaxRetries || ctx.Err() != nil {
			return Image{}, err
		}
		// Glance may have taken the data after all; else it is queued
		// again and takes it once more.
		im, gerr := c.Image(ctx, id)
		if gerr == nil && im.Status == "active" {
			return im, verify(op, im, md, sha)
		}
		if gerr == nil && im.Status != "queued" {
			return Image{}, fmt.Errorf("%w (the image is %s)", err, im.Status)
		}
		if werr := c.wait(ctx, n, 0, err); werr != nil {
			return Image{}, werr
		}
	}
}

// verify compares Glance's digests of the image with the file's.
func verify(op string, im Image, md, sha hash.Hash) error {
	if im.Status != "active" {
		return fmt.Errorf("%s: the image is %s after its upload, not active", op, im.Status)
	}
	switch {
	case im.HashAlgo == "sha512" && im.HashValue != "":
		if got := hex.EncodeToString(sha.Sum(nil)); got != im.HashValue {
			return fmt.Errorf("%s: Glance stored data with SHA-512 %s, the file's is %s", op, im.HashValue, got)
		}
	case im.Checksum != "":
		if got := hex.EncodeToString(md.Sum(nil)); got != im.Checksum {
			return fmt.Errorf("%s: Glance stored data with MD5 %s, the file's is %s", op, im.Checksum, got)
		}
	default:
		return fmt.Errorf("%s: Glance gave no digest of the data to check", op)
	}
	return nil
}

type countingReader struct {
	r        io.Reader
	sent     int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.sent += int64(n)
	if c.progress != nil && n > 0 {
		c.progress(c.sent)
	}
	return n, err
}

// Image reads an image.
func (c *Client) Image(ctx context.Context, id string) (Image, error) {
	im, err := images.Get(ctx, c.image, id).Extract()
	if err != nil {
		return Image{}, wrap("read image "+id, err)
	}
	return image(im), nil
}

// Images lists the images with a tag (all when tag is empty).
func (c *Client) Images(ctx context.Context, tag string) ([]Image, error) {
	opts := images.ListOpts{Limit: 1000}
	if tag != "" {
		opts.Tags = []string{tag}
	}
	list, err := all(ctx, "list images", images.List(c.image, opts), images.ExtractImages)
	if err != nil {
		return nil, err
	}
	out := make([]Image, 0, len(list))
	for i := range list {
		out = append(out, image(&list[i]))
	}
	return out, nil
}

// ImageID finds an active image by ID or by name; a name more than one
// image has is an error that says so.
func (c *Client) ImageID(ctx context.Context, ref string) (string, error) {
	if im, err := c.Image(ctx, ref); err == nil {
		return im.ID, nil
	} else if !IsNotFound(err) {
		return "", err
	}
	list, err := all(ctx, "list images", images.List(c.image, images.ListOpts{Name: ref, Status: images.ImageStatusActive, Limit: 1000}), images.ExtractImages)
	if err != nil {
		return "", err
	}
	switch len(list) {
	case 0:
		return "", &Error{Op: "find image " + ref, Status: 404, Message: "no active image has that name or ID"}
	case 1:
		return list[0].ID, nil
	}
	return "", &Error{Op: "find image " + ref, Status: 409, Message: fmt.Sprintf("%d images have that name: give an ID", len(list))}
}

// DeleteImage deletes an image; one already gone is no error.
func (c *Client) DeleteImage(ctx context.Context, id string) error {
	return gone(wrap("delete image "+id, images.Delete(ctx, c.image, id).ExtractErr()))
}

// newUUID is a random (version 4) UUID.
func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// SetImageVisibility makes an image public, private, shared or community
// (Glance's PATCH of /visibility).
func (c *Client) SetImageVisibility(ctx context.Context, id, visibility string) error {
	_, err := images.Update(ctx, c.image, id, images.UpdateOpts{images.UpdateVisibility{Visibility: images.ImageVisibility(visibility)}}).Extract()
	return wrap("make image "+id+" "+visibility, err)
}
