package sim

import (
	"crypto/md5"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"hash"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Image is a Glance image. Its data is not kept (but in a box, boot.go):
// its size and digests are, which is what clients check.
type Image struct {
	ID, Name, Status            string
	Visibility                  string
	DiskFormat, ContainerFormat string
	Tags                        []string
	Properties                  map[string]string
	Created                     time.Time
	Size                        int64
	Checksum, HashValue         string // MD5, SHA-512 of the data
	disk                        string // the data, kept in the box (boot.go)
}

// imageFields are an image's own fields; any other key of a create is an
// extra property, kept and answered at the top level as Glance does.
var imageFields = []string{"id", "name", "status", "visibility", "disk_format", "container_format", "tags", "created_at", "updated_at",
	"size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram", "protected", "owner", "file", "self",
	"schema", "locations", "direct_url", "os_hidden"}

func (s *Server) imageJSON(img *Image) map[string]any {
	j := map[string]any{}
	for k, v := range img.Properties {
		j[k] = v
	}
	var size, checksum, algo, value any
	if img.Status == "active" {
		size, checksum, algo, value = img.Size, img.Checksum, "sha512", img.HashValue
	}
	maps.Copy(j, map[string]any{
		"id": img.ID, "name": img.Name, "status": img.Status, "visibility": img.Visibility, "disk_format": nilIfEmpty(img.DiskFormat),
		"container_format": nilIfEmpty(img.ContainerFormat), "tags": img.Tags, "created_at": timestamp(img.Created), "updated_at": timestamp(img.Created),
		"size": size, "virtual_size": nil, "checksum": checksum, "os_hash_algo": algo, "os_hash_value": value, "min_disk": 0, "min_ram": 0,
		"protected": false, "owner": ProjectID, "os_hidden": false,
		"file": "/v2/images/" + img.ID + "/file", "self": "/v2/images/" + img.ID, "schema": "/v2/schemas/image",
	})
	return j
}

var uuidForm = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var (
	diskFormats      = []string{"ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"}
	containerFormats = []string{"ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"}
)

func (s *Server) createImage(_ *http.Request, body []byte) (answer, *apiError) {
	var req map[string]any
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	img := &Image{ID: s.newID(), Status: "queued", Visibility: "shared", Tags: []string{}, Properties: map[string]string{}, Created: s.opts.Now()}
	str := func(k string) (string, *apiError) {
		v, ok := req[k]
		if !ok || v == nil {
			return "", nil
		}
		sv, ok := v.(string)
		if !ok {
			return "", badRequest("Provided object does not match schema 'image': %v is not of type 'string' (%s)", v, k)
		}
		return sv, nil
	}
	var aerr *apiError
	// Glance takes the ID the caller chooses, once.
	if id, aerr := str("id"); aerr != nil {
		return answer{}, aerr
	} else if id != "" {
		if !uuidForm.MatchString(id) {
			return answer{}, badRequest("Provided object does not match schema 'image': '%s' does not match '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$' (id)", id)
		}
		if s.images[id] != nil {
			return answer{}, errorf(http.StatusConflict, "Image with identifier %s already exists!", id)
		}
		img.ID = id
	}
	if img.Name, aerr = str("name"); aerr != nil {
		return answer{}, aerr
	}
	if img.DiskFormat, aerr = str("disk_format"); aerr != nil {
		return answer{}, aerr
	}
	if img.ContainerFormat, aerr = str("container_format"); aerr != nil {
		return answer{}, aerr
	}
	if v, _ := str("visibility"); v != "" {
		if !slices.Contains([]string{"public", "private", "shared", "community"}, v) {
			return answer{}, badRequest("Provided object does not match schema 'image': '%s' is not one of ['community', 'public', 'private', 'shared'] (visibility)", v)
		}
		img.Visibility = v
	}
	if img.DiskFormat != "" && !slices.Contains(diskFormats, img.DiskFormat) {
		return answer{}, badRequest("Invalid disk format '%s' for image.", img.DiskFormat)
	}
	if img.ContainerFormat != "" && !slices.Contains(containerFormats, img.ContainerFormat) {
		return answer{}, badRequest("Invalid container format '%s' for image.", img.ContainerFormat)
	}
	if tags, ok := req["tags"].([]any); ok {
		for _, t := range tags {
			ts, ok := t.(string)
			if !ok || ts == "" || len(ts) > 255 {
				return answer{}, badRequest("Provided object does not match schema 'image': tags are strings of 1-255 characters")
			}
			img.Tags = append(img.Tags, ts)
		}
	}
	for k, v := range req {
		if slices.Contains(imageFields, k) {
			continue
		}
		sv, ok := v.(string)
		if !ok {
			return answer{}, badRequest("Provided object does not match schema 'image': extra property %s must be a string", k)
		}
		img.Properties[k] = sv
	}
	s.images[img.ID] = img
	return answer{status: http.StatusCreated, body: s.imageJSON(img)}, nil
}

// uploadImage takes an image's data (PUT .../file): queued → saving →
// active, with its size and checksums. It reads the body without the lock.
func (s *Server) uploadImage(r *http.Request) (answer, *apiError) {
	id := r.PathValue("id")
	s.mu.Lock()
	img := s.images[id]
	var aerr *apiError
	switch {
	case img == nil:
		aerr = notFound("No image found with ID %s", id)
	case img.Status != "queued":
		aerr = errorf(http.StatusConflict, "Image status transition from %s to saving is not allowed", img.Status)
	case img.DiskFormat == "" || img.ContainerFormat == "":
		aerr = badRequest("Properties disk_format, container_format must be set prior to saving data.")
	case !strings.HasPrefix(r.Header.Get("Content-Type"), "application/octet-stream"):
		aerr = errorf(http.StatusUnsupportedMediaType, "The request has unsupported Content-Type %q", r.Header.Get("Content-Type"))
	default:
		img.Status = "saving"
	}
	s.mu.Unlock()
	if aerr != nil {
		io.Copy(io.Discard, r.Body)
		return answer{}, aerr
	}
	md, sha := md5.New(), sha512.New()
	disk, n, err := s.importImage(id, img.DiskFormat, io.TeeReader(r.Body, io.MultiWriter(md, sha)))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.images[id] == nil { // deleted while it uploaded
		s.removeDisk(disk)
		return answer{}, errorf(http.StatusGone, "Image %s could not be found after upload. The image may have been deleted during the upload.", id)
	}
	if err != nil {
		img.Status = "queued"
		s.removeDisk(disk)
		return answer{}, badRequest("Error in store configuration or reading the data: %v", err)
	}
	img.Status, img.Size, img.Checksum, img.HashValue, img.disk = "active", n, sum(md), sum(sha), disk
	return answer{status: http.StatusNoContent}, nil
}

func sum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

func (s *Server) image(r *http.Request) (*Image, *apiError) {
	img := s.images[r.PathValue("id")]
	if img == nil {
		return nil, notFound("No image found with ID %s", r.PathValue("id"))
	}
	return img, nil
}

func (s *Server) getImage(r *http.Request, _ []byte) (answer, *apiError) {
	img, err := s.image(r)
	if err != nil {
		return answer{}, err
	}
	return answer{status: http.StatusOK, body: s.imageJSON(img)}, nil
}

// listImages pages images by marker with Glance's relative next link,
// filtered by name, status, visibility and tag.
func (s *Server) listImages(r *http.Request, _ []byte) (answer, *apiError) {
	var items []map[string]any
	tag := r.URL.Query().Get("tag")
	for _, img := range s.images {
		if tag == "" || slices.Contains(img.Tags, tag) {
			items = append(items, s.imageJSON(img))
		}
	}
	items = filter(r, items, "name", "status", "visibility")
	page, next, err := s.page(r, items)
	if err != nil {
		return answer{}, err
	}
	body := map[string]any{"images": page, "first": "/v2/images", "schema": "/v2/schemas/images"}
	if next != "" {
		body["next"] = strings.TrimPrefix(next, "/image")
	}
	return answer{status: http.StatusOK, body: body}, nil
}

func (s *Server) deleteImage(r *http.Request, _ []byte) (answer, *apiError) {
	img, err := s.image(r)
	if err != nil {
		return answer{}, err
	}
	delete(s.images, img.ID)
	// A server booted from it keeps reading it: QEMU holds it open.
	s.removeDisk(img.disk)
	return answer{status: http.StatusNoContent}, nil
}

// AddImage makes an active image at once, as if someone had uploaded it,
// and returns its ID.
func (s *Server) AddImage(name string, tags []string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	img := &Image{ID: s.newID(), Name: name, Status: "active", Visibility: "private", DiskFormat: "qcow2", ContainerFormat: "bare",
		Tags: slices.Clone(tags), Properties: map[string]string{}, Created: created, Size: 1 << 20}
	if img.Tags == nil {
		img.Tags = []string{}
	}
	s.images[img.ID] = img
	return img.ID
}

// ImageInfo returns an image, if it is there.
func (s *Server) ImageInfo(id string) (Image, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	img := s.images[id]
	if img == nil {
		return Image{}, false
	}
	out := *img
	out.Tags, out.Properties = slices.Clone(img.Tags), maps.Clone(img.Properties)
	return out, true
}

// patchType is the media type of Glance's image updates: a JSON patch of
// the image's fields (RFC 6902's add, replace and remove).
const patchType = "application/openstack-images-v2.1-json-patch"

// updateImage applies a JSON patch: the name, the visibility, the tags
// (as a whole list) and the extra properties; the other fields are
// Glance's to set, refused as it refuses them.
func (s *Server) updateImage(r *http.Request, body []byte) (answer, *apiError) {
	img, aerr := s.image(r)
	if aerr != nil {
		return answer{}, aerr
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, patchType) {
		return answer{}, errorf(http.StatusUnsupportedMediaType, "Unsupported Content-Type %q: use %s", ct, patchType)
	}
	var ops []struct {
		Op, Path string
		Value    any
	}
	if err := json.Unmarshal(body, &ops); err != nil {
		return answer{}, badRequest("Invalid JSON patch: %v", err)
	}
	next := *img
	next.Tags = slices.Clone(img.Tags)
	next.Properties = maps.Clone(img.Properties)
	for _, op := range ops {
		field := strings.TrimPrefix(op.Path, "/")
		if op.Op != "add" && op.Op != "replace" && op.Op != "remove" || field == "" || strings.Contains(field, "/") && !strings.HasPrefix(field, "tags/") {
			return answer{}, badRequest("Unable to change %q with op %q", op.Path, op.Op)
		}
		str, isStr := op.Value.(string)
		switch {
		case field == "visibility" && op.Op != "remove":
			if !slices.Contains([]string{"public", "private", "shared", "community"}, str) {
				return answer{}, badRequest("Invalid visibility value: %v", op.Value)
			}
			next.Visibility = str
		case field == "name" && op.Op != "remove" && isStr:
			next.Name = str
		case field == "tags" && op.Op != "remove":
			list, ok := op.Value.([]any)
			if !ok {
				return answer{}, badRequest("Invalid tags: %v", op.Value)
			}
			next.Tags = []string{}
			for _, t := range list {
				ts, ok := t.(string)
				if !ok || ts == "" || len(ts) > 255 {
					return answer{}, badRequest("Invalid tag: %v", t)
				}
				next.Tags = append(next.Tags, ts)
			}
		case slices.Contains(imageFields, field):
			return answer{}, errorf(http.StatusForbidden, "Attribute '%s' is read-only.", field)
		case op.Op == "remove":
			if _, ok := next.Properties[field]; !ok {
				return answer{}, errorf(http.StatusConflict, "Property %s does not exist.", field)
			}
			delete(next.Properties, field)
		case isStr:
			next.Properties[field] = str
		default:
			return answer{}, badRequest("Provided object does not match schema 'image': extra property %s must be a string", field)
		}
	}
	*img = next
	return answer{status: http.StatusOK, body: s.imageJSON(img)}, nil
}
