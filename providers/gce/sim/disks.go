package sim

import (
	"maps"
	"net/http"
	"slices"
	"time"
)

// Disk is a simulated persistent disk; Users are the instances using it.
type Disk struct {
	Name    string
	Labels  map[string]string
	Created time.Time
	Users   []string

	autoDelete bool
}

// Disks lists the disks by name.
func (s *Server) Disks() []Disk {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Disk
	for _, name := range slices.Sorted(maps.Keys(s.disks)) {
		d := *s.disks[name]
		d.Users = slices.Clone(d.Users)
		out = append(out, d)
	}
	return out
}

// AddDisk makes an unattached disk, as if made at created.
func (s *Server) AddDisk(name string, labels map[string]string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.disks[name] = &Disk{Name: name, Labels: labels, Created: created}
}

func (s *Server) diskJSON(d *Disk) map[string]any {
	var users []string
	for _, u := range d.Users {
		users = append(users, s.link("zones/"+s.opts.Zone+"/instances/"+u))
	}
	return map[string]any{
		"kind": "compute#disk", "name": d.Name, "labels": d.Labels, "users": users,
		"creationTimestamp": d.Created.Format(time.RFC3339Nano), "zone": s.link("zones/" + s.opts.Zone),
		"selfLink": s.link("zones/" + s.opts.Zone + "/disks/" + d.Name),
	}
}

func (s *Server) listDisks(r *http.Request, _ []byte) (any, *apiError) {
	want, err := parseFilter(r.URL.Query().Get("filter"))
	if err != nil {
		return nil, err
	}
	var all []map[string]any
	for _, name := range slices.Sorted(maps.Keys(s.disks)) {
		if d := s.disks[name]; matches(d.Labels, want) {
			all = append(all, s.diskJSON(d))
		}
	}
	items, next, err := page(s, r, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"kind": "compute#diskList", "items": items, "nextPageToken": next}, nil
}

func (s *Server) deleteDisk(r *http.Request, _ []byte) (any, *apiError) {
	name := r.PathValue("name")
	d, ok := s.disks[name]
	if !ok {
		return nil, notFound("The resource 'projects/%s/zones/%s/disks/%s' was not found", s.opts.Project, s.opts.Zone, name)
	}
	if len(d.Users) > 0 {
		return nil, &apiError{http.StatusBadRequest, "resourceInUseByAnotherResource", "The disk resource '" + name + "' is already being used by '" + d.Users[0] + "'"}
	}
	op := s.newOperation("delete", "zones/"+s.opts.Zone+"/disks/"+name, true, func() *apiError {
		delete(s.disks, name)
		return nil
	})
	return s.operationJSON(op), nil
}
