package sim

import (
	"maps"
	"strings"

	"github.com/strata-os/strata/core/cloud/simblob"
)

// AddGroup makes a resource group at once, in the simulator's location,
// as if someone had made it before the test (GC's populations).
func (s *Server) AddGroup(name string, tags map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[strings.ToLower(name)] = &Resource{ID: s.groupID(name), Name: name, Type: "Microsoft.Resources/resourceGroups",
		Location: s.opts.Location, Tags: maps.Clone(tags), Created: s.opts.Now(), State: "Succeeded"}
}

// AddImage makes a managed image at once in an existing group, from a
// VHD at blobURI, and returns its ID ("" if the group is not there).
func (s *Server) AddImage(group, name, blobURI string, tags map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[strings.ToLower(group)]
	if g == nil {
		return ""
	}
	res := &Resource{ID: s.groupID(g.Name) + "/providers/Microsoft.Compute/images/" + name, Name: name, Type: "Microsoft.Compute/images",
		Location: s.opts.Location, Group: g.Name, Tags: maps.Clone(tags), Created: s.opts.Now(), State: "Succeeded",
		Properties: map[string]any{
			"hyperVGeneration": "V2",
			"storageProfile":   map[string]any{"osDisk": map[string]any{"osType": "Linux", "osState": "Generalized", "blobUri": blobURI}},
		}}
	s.resources[strings.ToLower(res.ID)] = res
	return res.ID
}

// Exists reports whether a resource group (by name) or a resource (by
// ID) is there, whatever its state.
func (s *Server) Exists(groupOrID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	if strings.HasPrefix(groupOrID, "/") {
		return s.resources[strings.ToLower(groupOrID)] != nil
	}
	return s.groups[strings.ToLower(groupOrID)] != nil
}

// AddBlob makes a page blob of one zero page at once, making its
// container if it is missing, with metadata (GC's populations); false if
// the storage account is not there.
func (s *Server) AddBlob(account, containerName, name string, metadata map[string]string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[account]
	if a == nil {
		return false
	}
	c := a.containers[containerName]
	if c == nil {
		c = &container{name: containerName, modified: s.opts.Now(), etag: s.etag(), blobs: map[string]*storedBlob{}}
		a.containers[containerName] = c
	}
	data, err := simblob.New()
	if err != nil || data.Resize(pageSize) != nil {
		return false
	}
	if old := c.blobs[name]; old != nil {
		old.data.Release()
	}
	c.blobs[name] = &storedBlob{name: name, typ: "PageBlob", data: data, metadata: maps.Clone(metadata), contentType: "application/octet-stream",
		created: s.opts.Now(), modified: s.opts.Now(), etag: s.etag()}
	return true
}

// AddGalleryImageVersion makes a gallery, image definition (V2, Linux)
// and version at once, whichever are missing, in an existing group, the
// version replicated to the simulator's location and from a managed
// image ID that need not exist; it returns the version's ID ("" if the
// group is not there).
func (s *Server) AddGalleryImageVersion(group, gallery, definition, version string, tags map[string]string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[strings.ToLower(group)]
	if g == nil {
		return ""
	}
	now := s.opts.Now()
	add := func(id, name, typ string, props map[string]any, tags map[string]string) {
		if s.resources[strings.ToLower(id)] == nil {
			s.resources[strings.ToLower(id)] = &Resource{ID: id, Name: name, Type: typ, Location: s.opts.Location, Group: g.Name,
				Tags: maps.Clone(tags), Created: now, State: "Succeeded", Properties: props}
		}
	}
	galID := s.groupID(g.Name) + "/providers/Microsoft.Compute/galleries/" + gallery
	defID := galID + "/images/" + definition
	verID := defID + "/versions/" + version
	add(galID, gallery, "Microsoft.Compute/galleries", map[string]any{}, nil)
	add(defID, definition, "Microsoft.Compute/galleries/images", map[string]any{"osType": "Linux", "osState": "Generalized", "hyperVGeneration": "V2",
		"identifier": map[string]any{"publisher": "strata", "offer": definition, "sku": definition}}, nil)
	add(verID, version, "Microsoft.Compute/galleries/images/versions", map[string]any{
		"storageProfile":    map[string]any{"source": map[string]any{"id": s.groupID(g.Name) + "/providers/Microsoft.Compute/images/" + definition}},
		"publishingProfile": map[string]any{"targetRegions": []any{map[string]any{"name": s.opts.Location, "regionalReplicaCount": 1}}},
		"replicationStatus": map[string]any{"aggregatedState": "Completed"},
	}, tags)
	return verID
}
