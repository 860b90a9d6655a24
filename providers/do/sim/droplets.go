package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Droplet is what the simulator holds of one droplet.
type Droplet struct {
	ID                 int
	Name, Region, Size string
	Image              *Image
	UserData           string
	SSHKeys            []*Key // as they were when it was made
	Tags               []string
	Created            time.Time
	PublicIP           string
	PrivateIP          string
	gets               int

	// Cloud-in-a-box (boot.go): the machine, whether it was stopped,
	// whether its guest powered off, what its guest asked the metadata
	// service.
	booted       *box.Instance
	stopped, off bool
	deleting     bool
	metadataLog  []MetadataRequest
}

// status is "new" for the droplet's first reads, then "active"; "off"
// once a booted droplet's guest powered off.
func (d *Droplet) status(activeGets int) string {
	switch {
	case d.gets < activeGets:
		return "new"
	case d.off:
		return "off"
	}
	return "active"
}

func (s *Server) dropletJSON(d *Droplet) map[string]any {
	status := d.status(s.opts.ActiveGets)
	v4 := []any{}
	if status == "active" {
		v4 = []any{
			map[string]any{"ip_address": d.PublicIP, "netmask": "255.255.240.0", "gateway": "203.0.113.1", "type": "public"},
			map[string]any{"ip_address": d.PrivateIP, "netmask": "255.255.240.0", "gateway": "10.116.0.1", "type": "private"},
		}
	}
	features := []string{"private_networking"}
	if d.booted == nil {
		// It runs but never boots: clients skip SSH.
		features = append(features, "strata_simulated")
	}
	return map[string]any{
		"id": d.ID, "name": d.Name, "memory": 2048, "vcpus": 1, "disk": 50, "locked": false, "status": status,
		"created_at": d.Created.UTC().Format(time.RFC3339), "features": features,
		"region":    map[string]any{"slug": d.Region, "name": d.Region, "available": true},
		"image":     s.imageJSON(d.Image),
		"size_slug": d.Size, "size": map[string]any{"slug": d.Size},
		"networks": map[string]any{"v4": v4, "v6": []any{}},
		"tags":     d.Tags, "vpc_uuid": vpcID(d.Region),
	}
}

// regions and sizes are the slugs a droplet may name.
var (
	regions = []string{"ams3", "blr1", "fra1", "lon1", "nyc1", "nyc2", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"}
	sizes   = []string{"s-1vcpu-512mb-10gb", "s-1vcpu-1gb", "s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb", "s-4vcpu-8gb", "s-8vcpu-16gb"}
)

// dropletName is a droplet name DigitalOcean takes: a valid host name.
var dropletName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$`)

// tagName is a tag DigitalOcean takes.
var tagName = regexp.MustCompile(`^[A-Za-z0-9:_\-]{1,255}$`)

// userDataMax is DigitalOcean's limit on user data.
const userDataMax = 64 << 10

// createRequest is the body of a droplet create, one name or several.
type createRequest struct {
	Name     string            `json:"name"`
	Names    []string          `json:"names"`
	Region   string            `json:"region"`
	Size     string            `json:"size"`
	Image    json.RawMessage   `json:"image"`
	SSHKeys  []json.RawMessage `json:"ssh_keys"`
	UserData string            `json:"user_data"`
	Tags     []string          `json:"tags"`
}

func (s *Server) createDroplets(r *http.Request, body []byte) (answer, *apiError) {
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	names := req.Names
	if req.Name != "" {
		names = append([]string{req.Name}, names...)
	}
	switch {
	case len(names) == 0:
		return answer{}, unprocessable("Name is required.")
	case len(names) > 10:
		return answer{}, unprocessable("You can create at most 10 droplets at once.")
	case !slices.Contains(regions, req.Region):
		return answer{}, unprocessable("You specified an invalid region for Droplet creation: %q.", req.Region)
	case !slices.Contains(sizes, req.Size):
		return answer{}, unprocessable("You specified an invalid size for Droplet creation: %q.", req.Size)
	case len(req.UserData) > userDataMax:
		return answer{}, unprocessable("user_data exceeds the maximum of 64 KiB (%d bytes).", len(req.UserData))
	}
	for _, n := range names {
		if !dropletName.MatchString(n) {
			return answer{}, unprocessable("Name %q is not a valid host name: only a-z, 0-9, . and - are allowed.", n)
		}
	}
	for _, t := range req.Tags {
		if !tagName.MatchString(t) {
			return answer{}, unprocessable("Tag %q is not valid: 1-255 letters, digits, ':', '-' and '_'.", t)
		}
	}
	img, aerr := s.imageRef(req.Image)
	if aerr != nil {
		return answer{}, aerr
	}
	var keys []*Key
	for _, k := range req.SSHKeys {
		ref := strings.Trim(string(k), `"`) // an ID (a number) or a fingerprint (a string)
		key := s.keyRef(ref)
		if key == nil {
			return answer{}, unprocessable("SSH key %s does not exist on your account.", ref)
		}
		keys = append(keys, key)
	}
	var made []any
	for _, n := range names {
		d := &Droplet{ID: s.nextID(), Name: n, Region: req.Region, Size: req.Size, Image: img, UserData: req.UserData, SSHKeys: keys,
			Tags: slices.Clone(req.Tags), Created: s.opts.Now()}
		if d.Tags == nil {
			d.Tags = []string{}
		}
		d.PublicIP = fmt.Sprintf("203.0.%d.%d", 113+d.ID/250%10, d.ID%250+2)
		d.PrivateIP = fmt.Sprintf("10.116.%d.%d", d.ID/250%250, d.ID%250+2)
		s.droplets[d.ID] = d
		s.launched = append(s.launched, d.ID)
		if err := s.boot(d); err != nil {
			// The droplet is there and stays "new", as one whose host
			// failed it; the error is the simulator's to say.
			s.opts.Logger.Error("droplet did not boot", "droplet", d.ID, "err", err)
		}
		made = append(made, s.dropletJSON(d))
	}
	links := map[string]any{"actions": []any{map[string]any{"id": s.nextID(), "rel": "create", "href": s.base + "/v2/actions/" + strconv.Itoa(s.seq)}}}
	if len(made) == 1 {
		return answer{Status: http.StatusAccepted, Body: map[string]any{"droplet": made[0], "links": links}}, nil
	}
	return answer{Status: http.StatusAccepted, Body: map[string]any{"droplets": made, "links": links}}, nil
}

func (s *Server) droplet(r *http.Request) (*Droplet, *apiError) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		return nil, notFound()
	}
	d := s.droplets[id]
	if d == nil {
		return nil, notFound()
	}
	return d, nil
}

func (s *Server) getDroplet(r *http.Request, _ []byte) (answer, *apiError) {
	d, err := s.droplet(r)
	if err != nil {
		return answer{}, err
	}
	d.gets++
	return answer{Status: http.StatusOK, Body: map[string]any{"droplet": s.dropletJSON(d)}}, nil
}

// listDroplets lists droplets, all or those with tag_name, oldest first.
func (s *Server) listDroplets(r *http.Request, _ []byte) (answer, *apiError) {
	tag := r.URL.Query().Get("tag_name")
	var items []any
	for _, id := range slices.Sorted(maps.Keys(s.droplets)) {
		d := s.droplets[id]
		if tag == "" || slices.Contains(d.Tags, tag) {
			items = append(items, s.dropletJSON(d))
		}
	}
	if items == nil {
		items = []any{}
	}
	return s.page(r, "droplets", items), nil
}

func (s *Server) deleteDroplet(r *http.Request, _ []byte) (answer, *apiError) {
	d, err := s.droplet(r)
	if err != nil {
		return answer{}, err
	}
	s.removeDroplet(d)
	return answer{Status: http.StatusNoContent}, nil
}

// removeDroplet deletes a droplet, stopping its machine. s.mu must be
// held.
func (s *Server) removeDroplet(d *Droplet) {
	d.deleting = true
	s.stopBooted(d)
	delete(s.droplets, d.ID)
}

// deleteDropletsByTag deletes every droplet with the tag (DELETE
// /v2/droplets?tag_name=); without a tag it is refused, as the API does.
func (s *Server) deleteDropletsByTag(r *http.Request, _ []byte) (answer, *apiError) {
	tag := r.URL.Query().Get("tag_name")
	if tag == "" {
		return answer{}, unprocessable("tag_name is required to delete droplets in bulk.")
	}
	for _, d := range s.droplets {
		if slices.Contains(d.Tags, tag) {
			s.removeDroplet(d)
		}
	}
	return answer{Status: http.StatusNoContent}, nil
}

// Instance is what a droplet was made with, for tests.
type Instance struct {
	UserData []byte
	SSHKeys  []string
	Tags     []string
}

// Instance returns what the droplet with the ID (decimal) was made
// with, if it is there.
func (s *Server) Instance(id string) (Instance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := strconv.Atoi(id)
	d := s.droplets[n]
	if d == nil {
		return Instance{}, false
	}
	var keys []string
	for _, k := range d.SSHKeys {
		keys = append(keys, strings.TrimSpace(k.PublicKey))
	}
	return Instance{UserData: []byte(d.UserData), SSHKeys: keys, Tags: slices.Clone(d.Tags)}, true
}

// Launched lists the IDs of every droplet made, in order, gone or not.
func (s *Server) Launched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range s.launched {
		out = append(out, strconv.Itoa(id))
	}
	return out
}

// Droplets lists the names of the droplets there, by ID order.
func (s *Server) Droplets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range slices.Sorted(maps.Keys(s.droplets)) {
		out = append(out, s.droplets[id].Name)
	}
	return out
}

// AddDroplet makes an active droplet at once, as if someone had made it
// before the test (GC's populations), and returns its ID.
func (s *Server) AddDroplet(name string, tags []string, created time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := &Droplet{ID: s.nextID(), Name: name, Region: "sfo3", Size: "s-1vcpu-1gb", Image: s.bySlug("debian-12-x64"), Tags: slices.Clone(tags),
		Created: created, gets: s.opts.ActiveGets}
	d.PublicIP, d.PrivateIP = fmt.Sprintf("198.51.100.%d", d.ID%250+2), fmt.Sprintf("10.117.0.%d", d.ID%250+2)
	s.droplets[d.ID] = d
	return d.ID
}

// DropletExists says whether a droplet ID is there.
func (s *Server) DropletExists(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.droplets[id] != nil
}
