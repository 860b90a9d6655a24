package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Device is what the simulator holds of one device.
type Device struct {
	ID, Hostname, Plan, Metro, Facility, OS string
	ProjectID                               string
	UserData                                string
	IPXEScriptURL                           string
	AlwaysPXE                               bool
	Tags                                    []string
	Keys                                    []*Key // the project's keys it was made with
	Created                                 time.Time
	PublicIP, PrivateIP                     string
	Console                                 string
	gets                                    int
	n                                       int
}

// state is queued, then provisioning, then active, over the first reads.
func (d *Device) state(activeGets int) string {
	switch {
	case d.gets >= activeGets:
		return "active"
	case d.gets >= activeGets/2:
		return "provisioning"
	}
	return "queued"
}

var (
	plans  = []string{"c3.small.x86", "c3.medium.x86", "m3.small.x86", "m3.large.x86", "c3.large.arm64", "n3.xlarge.x86"}
	metros = map[string]string{"sv": "sv15", "da": "da11", "ny": "ny5", "am": "am6", "fr": "fr2", "sg": "sg1"}
	oses   = []string{"custom_ipxe", "flatcar_stable", "flatcar_beta", "flatcar_alpha", "ubuntu_22_04", "debian_12"}
)

// hostname is a host name the API takes.
var hostname = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,61}[a-zA-Z0-9])?$`)

// userDataMax is the API's limit on userdata.
const userDataMax = 64 << 10

func (s *Server) deviceJSON(d *Device) map[string]any {
	state := d.state(s.opts.ActiveGets)
	ips := []any{}
	if state == "active" {
		ips = []any{
			map[string]any{"id": uuid(), "address_family": 4, "address": d.PublicIP, "netmask": "255.255.255.254", "cidr": 31, "public": true, "management": true, "gateway": "198.51.100.1"},
			map[string]any{"id": uuid(), "address_family": 4, "address": d.PrivateIP, "netmask": "255.255.255.254", "cidr": 31, "public": false, "management": true, "gateway": "10.70.0.1"},
		}
	}
	var keys []any
	for _, k := range d.Keys {
		keys = append(keys, map[string]any{"href": "/metal/v1/ssh-keys/" + k.ID})
	}
	sos := "sos." + d.Facility + ".platformequinix.com"
	if s.sosAddr != "" {
		sos = s.sosAddr
	}
	return map[string]any{
		"id": d.ID, "href": "/metal/v1/devices/" + d.ID, "hostname": d.Hostname, "state": state, "short_id": d.ID[:8],
		"created_at": d.Created.UTC().Format(time.RFC3339), "updated_at": d.Created.UTC().Format(time.RFC3339),
		"tags": d.Tags, "ip_addresses": ips, "volumes": []any{}, "userdata": d.UserData, "ipxe_script_url": d.IPXEScriptURL, "always_pxe": d.AlwaysPXE,
		"plan":             map[string]any{"slug": d.Plan, "name": d.Plan},
		"facility":         map[string]any{"code": d.Facility, "name": d.Facility},
		"metro":            map[string]any{"code": d.Metro, "name": d.Metro},
		"operating_system": map[string]any{"slug": d.OS, "name": d.OS},
		"project":          map[string]any{"href": "/metal/v1/projects/" + d.ProjectID},
		"ssh_keys":         keys, "sos": sos, "billing_cycle": "hourly", "locked": false,
		"customdata": map[string]any{"strata_simulated": true}, // its devices never boot: clients skip SSH
	}
}

type createRequest struct {
	Hostname       string   `json:"hostname"`
	Plan           string   `json:"plan"`
	Facility       []string `json:"facility"`
	Metro          string   `json:"metro"`
	OS             string   `json:"operating_system"`
	UserData       string   `json:"userdata"`
	IPXEScriptURL  string   `json:"ipxe_script_url"`
	AlwaysPXE      bool     `json:"always_pxe"`
	Tags           []string `json:"tags"`
	ProjectSSHKeys []string `json:"project_ssh_keys"`
}

func (s *Server) createDevice(r *http.Request, body []byte) (answer, *apiError) {
	project, aerr := s.project(r)
	if aerr != nil {
		return answer{}, aerr
	}
	var req createRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, errorf(http.StatusUnprocessableEntity, "The request body is not valid JSON: %v", err)
	}
	d := &Device{ID: uuid(), Hostname: req.Hostname, Plan: req.Plan, OS: req.OS, ProjectID: project, UserData: req.UserData,
		IPXEScriptURL: req.IPXEScriptURL, AlwaysPXE: req.AlwaysPXE, Tags: slices.Clone(req.Tags), Created: s.opts.Now()}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	var errs []string
	switch {
	case req.Metro != "" && len(req.Facility) > 0:
		errs = append(errs, "Specify either metro or facility, not both")
	case req.Metro != "":
		if metros[req.Metro] == "" {
			errs = append(errs, fmt.Sprintf("Metro %s is not a valid metro", req.Metro))
		}
		d.Metro, d.Facility = req.Metro, metros[req.Metro]
	case len(req.Facility) > 0:
		for m, f := range metros {
			if slices.Contains(req.Facility, f) || slices.Contains(req.Facility, "any") {
				d.Metro, d.Facility = m, f
			}
		}
		if d.Facility == "" {
			errs = append(errs, fmt.Sprintf("Facility %v is not valid", req.Facility))
		}
	default:
		errs = append(errs, "Metro or facility is required")
	}
	if !hostname.MatchString(req.Hostname) {
		errs = append(errs, "Hostname is invalid")
	}
	if !slices.Contains(plans, req.Plan) {
		errs = append(errs, fmt.Sprintf("Plan %s is not a valid plan", req.Plan))
	}
	if !slices.Contains(oses, req.OS) {
		errs = append(errs, fmt.Sprintf("Operating system %s is not valid", req.OS))
	}
	if req.OS == "custom_ipxe" && req.IPXEScriptURL == "" && !strings.HasPrefix(req.UserData, "#!ipxe") {
		errs = append(errs, "An iPXE script URL or userdata starting with #!ipxe is required for custom_ipxe")
	}
	if len(req.UserData) > userDataMax {
		errs = append(errs, "Userdata is too long (64 KiB at most)")
	}
	for _, id := range req.ProjectSSHKeys {
		k := s.keys[id]
		if k == nil || k.ProjectID != project {
			errs = append(errs, fmt.Sprintf("SSH key %s is not a key of the project", id))
			continue
		}
		d.Keys = append(d.Keys, k)
	}
	if len(errs) > 0 {
		return answer{}, &apiError{Status: http.StatusUnprocessableEntity, Errors: errs}
	}
	s.seq++
	d.n = s.seq
	d.PublicIP = fmt.Sprintf("198.51.100.%d", d.n%250+2)
	d.PrivateIP = fmt.Sprintf("10.70.%d.%d", d.n/250%250, d.n%250+2)
	s.devices[d.ID] = d
	s.launched = append(s.launched, d.ID)
	return answer{Status: http.StatusCreated, Body: s.deviceJSON(d)}, nil
}

func (s *Server) getDevice(r *http.Request, _ []byte) (answer, *apiError) {
	d := s.devices[r.PathValue("id")]
	if d == nil {
		return answer{}, notFound()
	}
	j := s.deviceJSON(d)
	d.gets++
	return answer{Status: http.StatusOK, Body: j}, nil
}

// listDevices lists a project's devices, oldest first, filtered by tag.
func (s *Server) listDevices(r *http.Request, _ []byte) (answer, *apiError) {
	project, aerr := s.project(r)
	if aerr != nil {
		return answer{}, aerr
	}
	tag := r.URL.Query().Get("tag")
	var list []*Device
	for _, d := range s.devices {
		if d.ProjectID == project && (tag == "" || slices.Contains(d.Tags, tag)) {
			list = append(list, d)
		}
	}
	slices.SortFunc(list, func(a, b *Device) int { return a.n - b.n })
	items := []any{}
	for _, d := range list {
		items = append(items, s.deviceJSON(d))
	}
	return s.page(r, "devices", items), nil
}

// updateDevice is PUT /devices/{id}: the fields given are set (tags
// replaced as a whole); the fields strata never changes are refused
// rather than ignored.
func (s *Server) updateDevice(r *http.Request, body []byte) (answer, *apiError) {
	d := s.devices[r.PathValue("id")]
	if d == nil {
		return answer{}, notFound()
	}
	var req map[string]json.RawMessage
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, errorf(http.StatusUnprocessableEntity, "The request body is not valid JSON: %v", err)
	}
	for k, raw := range req {
		var err error
		switch k {
		case "tags":
			var tags []string
			if err = json.Unmarshal(raw, &tags); err == nil {
				d.Tags = append([]string{}, tags...)
			}
		case "hostname":
			err = json.Unmarshal(raw, &d.Hostname)
		case "description", "locked", "userdata", "customdata", "always_pxe", "ipxe_script_url":
			return answer{}, errorf(http.StatusUnprocessableEntity, "The simulator does not change a device's %s.", k)
		default:
			return answer{}, errorf(http.StatusUnprocessableEntity, "%s is not an attribute of a device that can be updated.", k)
		}
		if err != nil {
			return answer{}, errorf(http.StatusUnprocessableEntity, "%s: %v", k, err)
		}
	}
	return answer{Status: http.StatusOK, Body: s.deviceJSON(d)}, nil
}

func (s *Server) deleteDevice(r *http.Request, _ []byte) (answer, *apiError) {
	d := s.devices[r.PathValue("id")]
	if d == nil {
		return answer{}, notFound()
	}
	delete(s.devices, d.ID)
	return answer{Status: http.StatusNoContent}, nil
}

// Instance is what a device was made with, for tests.
type Instance struct {
	UserData      []byte
	SSHKeys       []string
	Tags          []string
	IPXEScriptURL string
	AlwaysPXE     bool
	Metro, Plan   string
}

// Instance returns what the device with the ID was made with.
func (s *Server) Instance(id string) (Instance, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.devices[id]
	if d == nil {
		return Instance{}, false
	}
	var keys []string
	for _, k := range d.Keys {
		keys = append(keys, strings.TrimSpace(k.Key))
	}
	return Instance{UserData: []byte(d.UserData), SSHKeys: keys, Tags: slices.Clone(d.Tags), IPXEScriptURL: d.IPXEScriptURL,
		AlwaysPXE: d.AlwaysPXE, Metro: d.Metro, Plan: d.Plan}, true
}

// Launched lists the IDs of every device made, in order, gone or not.
func (s *Server) Launched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.launched)
}

// Devices lists the host names of the devices there, sorted.
func (s *Server) Devices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, d := range s.devices {
		out = append(out, d.Hostname)
	}
	slices.Sort(out)
	return out
}

// AddDevice makes an active device at once, as if someone had made it,
// and returns its ID.
func (s *Server) AddDevice(project, hostname string, tags []string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	d := &Device{ID: uuid(), Hostname: hostname, Plan: plans[0], Metro: "sv", Facility: metros["sv"], OS: "flatcar_stable", ProjectID: project,
		Tags: slices.Clone(tags), Created: created, gets: s.opts.ActiveGets, n: s.seq,
		PublicIP: fmt.Sprintf("203.0.113.%d", s.seq%250+2), PrivateIP: fmt.Sprintf("10.71.0.%d", s.seq%250+2)}
	if d.Tags == nil {
		d.Tags = []string{}
	}
	s.devices[d.ID] = d
	return d.ID
}

// DeviceExists says whether a device ID is there.
func (s *Server) DeviceExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.devices[id] != nil
}

// SetConsole sets what a device's SOS console prints.
func (s *Server) SetConsole(id, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.devices[id]; d != nil {
		d.Console = text
	}
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
