package sim

import (
	"maps"
	"strings"
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
