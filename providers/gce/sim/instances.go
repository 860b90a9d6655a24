package sim

import (
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/strata-os/strata/providers/qemu/box"
)

// Instance is a simulated instance as a test sees it.
type Instance struct {
	Name, MachineType, Image, Network, Status string
	PublicIP, PrivateIP                       string
	Labels, Metadata                          map[string]string
	Created                                   time.Time

	id       uint64
	labelsV  int // bumped by setLabels: the label fingerprint's source
	gets     int
	started  bool // its insert operation is done
	deleting bool
	console  []byte

	// Cloud-in-a-box (boot.go, metadata.go).
	booted        *box.Instance
	bootedConsole []byte
	metadataLog   []MetadataRequest
}

// consoleLimit is how much serial output Compute Engine keeps.
const consoleLimit = 1 << 20

var (
	resourceName = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)
	machineTypes = map[string]bool{"e2-micro": true, "e2-small": true, "e2-medium": true, "e2-standard-2": true, "n1-standard-1": true, "n2-standard-2": true, "t2a-standard-1": true}
)

// Instances lists the instances in creation order.
func (s *Server) Instances() []Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Instance
	for _, in := range s.instancesInOrder() {
		c := *in
		c.Labels, c.Metadata = maps.Clone(in.Labels), maps.Clone(in.Metadata)
		c.console = nil
		out = append(out, c)
	}
	return out
}

// Inserted lists the name of every instance inserted through the API, in
// order, deleted or not.
func (s *Server) Inserted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.inserted)
}

// AddInstance makes a running instance, as if made at created by
// someone, and its boot disk.
func (s *Server) AddInstance(name string, labels map[string]string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := &Instance{Name: name, MachineType: "e2-medium", Network: "default", Status: "RUNNING", Labels: labels, Metadata: map[string]string{}, Created: created, id: s.nextID(), started: true}
	s.instances[name] = in
	s.disks[name] = &Disk{Name: name, Labels: labels, Created: created, Users: []string{name}, autoDelete: true}
}

// SetConsole replaces what an instance wrote to its serial port.
func (s *Server) SetConsole(name string, console []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[name]; ok {
		in.console = console
	}
}

func (s *Server) instancesInOrder() []*Instance {
	all := slices.Collect(maps.Values(s.instances))
	slices.SortFunc(all, func(a, b *Instance) int { return int(a.id - b.id) })
	return all
}

// instanceJSON is the part of Compute Engine's instance resource strata
// sends and reads.
type instanceJSON struct {
	Kind              string            `json:"kind"`
	ID                string            `json:"id,omitempty"`
	Name              string            `json:"name"`
	CreationTimestamp string            `json:"creationTimestamp,omitempty"`
	MachineType       string            `json:"machineType"`
	Status            string            `json:"status,omitempty"`
	Zone              string            `json:"zone,omitempty"`
	SelfLink          string            `json:"selfLink,omitempty"`
	Labels            map[string]string `json:"labels,omitempty"`
	Metadata          struct {
		Items []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"items"`
	} `json:"metadata"`
	Disks []struct {
		Boot             bool   `json:"boot"`
		AutoDelete       bool   `json:"autoDelete"`
		Source           string `json:"source,omitempty"`
		InitializeParams *struct {
			SourceImage string            `json:"sourceImage"`
			DiskSizeGb  string            `json:"diskSizeGb,omitempty"`
			Labels      map[string]string `json:"labels,omitempty"`
		} `json:"initializeParams,omitempty"`
	} `json:"disks"`
	NetworkInterfaces []struct {
		Network       string `json:"network"`
		NetworkIP     string `json:"networkIP,omitempty"`
		AccessConfigs []struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			NatIP string `json:"natIP,omitempty"`
		} `json:"accessConfigs"`
	} `json:"networkInterfaces"`
}

func (s *Server) link(path string) string {
	return fmt.Sprintf("https://www.googleapis.com/compute/v1/projects/%s/%s", s.opts.Project, path)
}

// lastSegment is a URL's or partial URL's last path segment.
func lastSegment(u string) string { return u[strings.LastIndex(u, "/")+1:] }

func (s *Server) insertInstance(r *http.Request, body []byte) (any, *apiError) {
	if op, ok := s.requests[r.URL.Query().Get("requestId")]; ok {
		return s.operationJSON(s.operations[op]), nil
	}
	var req instanceJSON
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	switch {
	case !resourceName.MatchString(req.Name):
		return nil, invalid("Invalid value for field 'resource.name': '%s'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'", req.Name)
	case s.instances[req.Name] != nil:
		return nil, &apiError{http.StatusConflict, "alreadyExists", fmt.Sprintf("The resource 'projects/%s/zones/%s/instances/%s' already exists", s.opts.Project, s.opts.Zone, req.Name)}
	case !machineTypes[lastSegment(req.MachineType)]:
		return nil, invalid("Invalid value for field 'resource.machineType': '%s'. Machine type with name '%s' does not exist in zone '%s'.", req.MachineType, lastSegment(req.MachineType), s.opts.Zone)
	case len(req.Disks) != 1 || req.Disks[0].InitializeParams == nil:
		return nil, invalid("Invalid value for field 'resource.disks': one boot disk with initializeParams is simulated")
	case len(req.NetworkInterfaces) != 1:
		return nil, invalid("Invalid value for field 'resource.networkInterfaces': one interface is simulated")
	}
	image := req.Disks[0].InitializeParams.SourceImage
	if _, err := s.resolveImage(image); err != nil {
		return nil, err
	}
	network := lastSegment(req.NetworkInterfaces[0].Network)
	if !s.networks[network] {
		return nil, notFound("The resource 'projects/%s/global/networks/%s' was not found", s.opts.Project, network)
	}
	id := s.nextID()
	s.inserted = append(s.inserted, req.Name)
	in := &Instance{
		Name: req.Name, MachineType: lastSegment(req.MachineType), Image: image, Network: network, Status: "PROVISIONING",
		PrivateIP: fmt.Sprintf("10.128.%d.%d", id/250%250, id%250+2), Labels: req.Labels, Metadata: map[string]string{},
		Created: s.opts.Now(), id: id,
		console: fmt.Appendf(nil, "[strata sim] instance %s created; simulated instances run no operating system\n", req.Name),
	}
	if len(req.NetworkInterfaces[0].AccessConfigs) > 0 {
		in.PublicIP = fmt.Sprintf("203.0.113.%d", id%250+2)
	}
	for _, it := range req.Metadata.Items {
		in.Metadata[it.Key] = it.Value
	}
	s.instances[in.Name] = in
	s.disks[in.Name] = &Disk{Name: in.Name, Labels: req.Disks[0].InitializeParams.Labels, Created: in.Created, Users: []string{in.Name}, autoDelete: req.Disks[0].AutoDelete}
	op := s.newOperation("insert", "zones/"+s.opts.Zone+"/instances/"+in.Name, true, func() *apiError {
		in.started = true
		in.Status = "STAGING"
		if err := s.boot(in); err != nil {
			in.Status = "TERMINATED"
			return &apiError{http.StatusServiceUnavailable, "ZONE_RESOURCE_POOL_EXHAUSTED", "cloud-in-a-box could not boot " + in.Name + ": " + err.Error()}
		}
		return nil
	})
	if id := r.URL.Query().Get("requestId"); id != "" {
		s.requests[id] = op.name
	}
	return s.operationJSON(op), nil
}

func (s *Server) instanceJSON(in *Instance) map[string]any {
	var items []map[string]string
	for _, k := range slices.Sorted(maps.Keys(in.Metadata)) {
		items = append(items, map[string]string{"key": k, "value": in.Metadata[k]})
	}
	access := []map[string]string{}
	if in.PublicIP != "" {
		access = append(access, map[string]string{"kind": "compute#accessConfig", "name": "External NAT", "type": "ONE_TO_ONE_NAT", "natIP": in.PublicIP})
	}
	return map[string]any{
		"kind": "compute#instance", "id": fmt.Sprint(in.id), "name": in.Name,
		"creationTimestamp": in.Created.Format(time.RFC3339Nano),
		"machineType":       s.link("zones/" + s.opts.Zone + "/machineTypes/" + in.MachineType),
		"status":            in.Status, "cpuPlatform": s.cpuPlatform(in), "zone": s.link("zones/" + s.opts.Zone),
		"selfLink": s.link("zones/" + s.opts.Zone + "/instances/" + in.Name),
		"labels":   in.Labels, "labelFingerprint": labelFingerprint(in),
		"metadata": map[string]any{"kind": "compute#metadata", "items": items},
		"disks": []map[string]any{{
			"boot": true, "autoDelete": true, "source": s.link("zones/" + s.opts.Zone + "/disks/" + in.Name),
		}},
		"networkInterfaces": []map[string]any{{
			"network": s.link("global/networks/" + in.Network), "networkIP": in.PrivateIP, "accessConfigs": access,
		}},
	}
}

func (s *Server) instance(r *http.Request) (*Instance, *apiError) {
	in, ok := s.instances[r.PathValue("name")]
	if !ok {
		return nil, notFound("The resource 'projects/%s/zones/%s/instances/%s' was not found", s.opts.Project, s.opts.Zone, r.PathValue("name"))
	}
	return in, nil
}

func (s *Server) getInstance(r *http.Request, _ []byte) (any, *apiError) {
	in, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	if in.started && !in.deleting && in.Status == "STAGING" {
		in.gets++
		if in.gets > s.opts.StartingGets {
			in.Status = "RUNNING"
		}
	}
	return s.instanceJSON(in), nil
}

func (s *Server) listInstances(r *http.Request, _ []byte) (any, *apiError) {
	want, err := parseFilter(r.URL.Query().Get("filter"))
	if err != nil {
		return nil, err
	}
	var all []map[string]any
	for _, in := range s.instancesInOrder() {
		if matches(in.Labels, want) {
			all = append(all, s.instanceJSON(in))
		}
	}
	items, next, err := page(s, r, all)
	if err != nil {
		return nil, err
	}
	return map[string]any{"kind": "compute#instanceList", "items": items, "nextPageToken": next}, nil
}

func (s *Server) deleteInstance(r *http.Request, _ []byte) (any, *apiError) {
	in, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	in.deleting = true
	in.Status = "STOPPING"
	s.stopBooted(in)
	op := s.newOperation("delete", "zones/"+s.opts.Zone+"/instances/"+in.Name, true, func() *apiError {
		delete(s.instances, in.Name)
		if d, ok := s.disks[in.Name]; ok {
			d.Users = slices.DeleteFunc(d.Users, func(u string) bool { return u == in.Name })
			if d.autoDelete {
				delete(s.disks, in.Name)
			}
		}
		return nil
	})
	return s.operationJSON(op), nil
}

func (s *Server) serialPort(r *http.Request, _ []byte) (any, *apiError) {
	in, err := s.instance(r)
	if err != nil {
		return nil, err
	}
	if p := r.URL.Query().Get("port"); p != "" && p != "1" {
		return nil, invalid("Invalid value for field 'port': '%s'. Only port 1 is simulated", p)
	}
	console := in.consoleOf()
	kept := int64(max(0, len(console)-consoleLimit))
	return map[string]any{
		"kind": "compute#serialPortOutput", "contents": string(console[kept:]),
		"start": fmt.Sprint(kept), "next": fmt.Sprint(len(console)),
	}, nil
}

func (s *Server) getNetwork(r *http.Request, _ []byte) (any, *apiError) {
	name := r.PathValue("name")
	if !s.networks[name] {
		return nil, notFound("The resource 'projects/%s/global/networks/%s' was not found", s.opts.Project, name)
	}
	return map[string]any{"kind": "compute#network", "name": name, "selfLink": s.link("global/networks/" + name)}, nil
}

func (s *Server) cpuPlatform(in *Instance) string {
	if in.booted != nil {
		return BootedPlatform
	}
	return "strata simulator (does not boot)"
}

// labelFingerprint changes whenever the labels do: setLabels must carry
// the one the caller read, so that two writers do not lose each other's.
func labelFingerprint(in *Instance) string {
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("labels-%d-%d", in.id, in.labelsV)))
}

// setLabels replaces an instance's labels, given the fingerprint of the
// labels it replaces.
func (s *Server) setLabels(r *http.Request, body []byte) (any, *apiError) {
	in, aerr := s.instance(r)
	if aerr != nil {
		return nil, aerr
	}
	var req struct {
		Labels           map[string]string
		LabelFingerprint string
	}
	if err := decode(body, &req); err != nil {
		return nil, err
	}
	if req.LabelFingerprint != labelFingerprint(in) {
		return nil, &apiError{http.StatusPreconditionFailed, "conditionNotMet", "Labels fingerprint either invalid or resource labels have changed"}
	}
	for k, v := range req.Labels {
		if !labelKey.MatchString(k) || !labelValue.MatchString(v) {
			return nil, invalid("Invalid value for field 'labels': '%s=%s'.", k, v)
		}
	}
	op := s.newOperation("setLabels", "zones/"+s.opts.Zone+"/instances/"+in.Name, true, func() *apiError {
		in.Labels = req.Labels
		in.labelsV++
		return nil
	})
	return s.operationJSON(op), nil
}

var (
	labelKey   = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	labelValue = regexp.MustCompile(`^[a-z0-9_-]{0,63}$`)
)
