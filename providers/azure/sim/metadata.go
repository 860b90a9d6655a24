package sim

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// What a booted machine's guest reaches besides the public endpoints:
//
// The Instance Metadata Service at 169.254.169.254, with its rules: every
// request carries `Metadata: true` and an api-version IMDS knows (400
// otherwise), none carries X-Forwarded-For (400: IMDS is not to be
// reached through a proxy), only GET is answered. /metadata/instance is
// the machine's compute and network document as JSON; a path below it
// answers that node, as JSON or, for a leaf, with format=text as text.
// userData is the base64 the machine was made with; customData is never
// served (Azure gives it on the provisioning medium only).
//
// The WireServer at 168.63.129.16, the fabric's endpoint the guest tells
// it is provisioned: GET /machine/?comp=goalstate answers the goal state
// (incarnation, container and role instance IDs), and a POST of a health
// report saying Ready for them to /machine/?comp=health completes the
// machine's creation. Both need the x-ms-version header.

// MetadataRequest is one request a guest made to IMDS or the WireServer.
type MetadataRequest struct {
	Service, Method, Path string
	Status                int
	// Header says whether it carried IMDS's Metadata: true (or the
	// WireServer's x-ms-version).
	Header bool
}

// MetadataLog returns the requests a machine's guest made to IMDS and
// the WireServer, by the machine's name.
func (s *Server) MetadataLog(vmName string) []MetadataRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	for key, bv := range s.booted {
		if vm := s.vms[key]; vm != nil && strings.EqualFold(vm.Name, vmName) {
			return slices.Clone(bv.metadataLog)
		}
	}
	return nil
}

// imdsVersions are api-versions IMDS takes.
var imdsVersions = []string{"2017-03-01", "2017-04-02", "2017-08-01", "2017-12-01", "2018-02-01", "2018-04-02", "2018-10-01", "2019-02-01",
	"2019-03-11", "2019-04-30", "2019-06-01", "2019-06-04", "2019-08-01", "2019-08-15", "2019-11-01", "2020-06-01", "2020-07-15",
	"2020-09-01", "2020-10-01", "2020-12-01", "2021-01-01", "2021-02-01", "2021-03-01", "2021-05-01", "2021-10-01", "2021-11-01",
	"2021-11-15", "2021-12-13", "2023-07-01"}

func (s *Server) logMetadata(key, service string, r *http.Request, status int, header bool) {
	if s.opts.Logger != nil {
		s.opts.Logger.Info("metadata request", "instance", key[strings.LastIndex(key, "/")+1:], "service", service, "method", r.Method, "path", r.URL.Path, "status", status, "header", header)
	}
	s.mu.Lock()
	if bv := s.booted[key]; bv != nil {
		bv.metadataLog = append(bv.metadataLog, MetadataRequest{service, r.Method, r.URL.Path, status, header})
	}
	s.mu.Unlock()
}

func (s *Server) imdsHandler(key string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Metadata") == "true"
		status := s.serveIMDS(w, r, key, header)
		s.logMetadata(key, "imds", r, status, header)
	})
}

func (s *Server) serveIMDS(w http.ResponseWriter, r *http.Request, key string, header bool) int {
	answer := func(status int, v any) int {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
		return status
	}
	fail := func(status int, msg string) int { return answer(status, map[string]any{"error": msg}) }
	q := r.URL.Query()
	switch {
	case r.Header.Get("X-Forwarded-For") != "":
		return fail(http.StatusBadRequest, "Bad request. X-Forwarded-For header is not allowed.")
	case !header:
		return fail(http.StatusBadRequest, "Bad request. Required metadata header not specified")
	case r.Method != http.MethodGet:
		return fail(http.StatusMethodNotAllowed, "Method not allowed")
	case q.Get("api-version") == "":
		return answer(http.StatusBadRequest, map[string]any{"error": "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds", "newest-versions": imdsVersions[len(imdsVersions)-3:]})
	case !slices.Contains(imdsVersions, q.Get("api-version")):
		return answer(http.StatusBadRequest, map[string]any{"error": "Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds", "newest-versions": imdsVersions[len(imdsVersions)-3:]})
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(r.URL.Path, "/"), "/metadata/instance")
	if !ok {
		return fail(http.StatusNotFound, "Not found")
	}
	s.mu.Lock()
	vm := s.vms[key]
	var doc map[string]any
	if vm != nil {
		doc = s.instanceDocument(vm)
	}
	s.mu.Unlock()
	if vm == nil {
		return fail(http.StatusNotFound, "Not found")
	}
	var node any = doc
	for _, seg := range strings.Split(strings.Trim(rest, "/"), "/") {
		if seg == "" {
			continue
		}
		switch n := node.(type) {
		case map[string]any:
			v, ok := n[seg]
			if !ok {
				return fail(http.StatusNotFound, "Not found")
			}
			node = v
		case []any:
			var i int
			if _, err := fmt.Sscanf(seg, "%d", &i); err != nil || i < 0 || i >= len(n) {
				return fail(http.StatusNotFound, "Not found")
			}
			node = n[i]
		default:
			return fail(http.StatusNotFound, "Not found")
		}
	}
	switch q.Get("format") {
	case "", "json":
		return answer(http.StatusOK, node)
	case "text":
		leaf, ok := node.(string)
		if !ok {
			return fail(http.StatusBadRequest, "Bad request. Text format is only supported for leaf nodes.")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, leaf)
		return http.StatusOK
	}
	return fail(http.StatusBadRequest, "Bad request. Unsupported format.")
}

// instanceDocument is IMDS's /metadata/instance of a machine. s.mu is
// held.
func (s *Server) instanceDocument(vm *Resource) map[string]any {
	var keys []any
	for _, k := range getList(vm.Properties, "osProfile", "linuxConfiguration", "ssh", "publicKeys") {
		keys = append(keys, map[string]any{"keyData": getString(k, "keyData"), "path": getString(k, "path")})
	}
	if keys == nil {
		keys = []any{}
	}
	var tags []string
	tagsList := []any{}
	for _, k := range slices.Sorted(maps.Keys(vm.Tags)) {
		tags = append(tags, k+":"+vm.Tags[k])
		tagsList = append(tagsList, map[string]any{"name": k, "value": vm.Tags[k]})
	}
	public, private, _, prefix := s.vmAddresses(vm)
	if public == private {
		public = ""
	}
	subnet := private[:strings.LastIndex(private, ".")+1] + "0"
	return map[string]any{
		"compute": map[string]any{
			"azEnvironment": "AzurePublicCloud", "location": vm.Location, "name": vm.Name, "osType": "Linux", "provider": "Microsoft.Compute",
			"publicKeys": keys, "resourceGroupName": vm.Group, "resourceId": vm.ID, "subscriptionId": s.opts.Subscription,
			"tags": strings.Join(tags, ";"), "tagsList": tagsList, "userData": getString(vm.Properties, "userData"), "customData": "",
			"vmId": getString(vm.Properties, "vmId"), "vmSize": getString(vm.Properties, "hardwareProfile", "vmSize"), "zone": "", "version": "",
			"osProfile": map[string]any{"adminUsername": getString(vm.Properties, "osProfile", "adminUsername"),
				"computerName": getString(vm.Properties, "osProfile", "computerName"), "disablePasswordAuthentication": "true"},
		},
		"network": map[string]any{"interface": []any{map[string]any{
			"ipv4": map[string]any{
				"ipAddress": []any{map[string]any{"privateIpAddress": private, "publicIpAddress": public}},
				"subnet":    []any{map[string]any{"address": subnet, "prefix": fmt.Sprint(prefix)}},
			},
			"ipv6":       map[string]any{"ipAddress": []any{}},
			"macAddress": "000D3A" + strings.ToUpper(strings.ReplaceAll(getString(vm.Properties, "vmId"), "-", "")[:6]),
		}}},
	}
}

// The WireServer's protocol version and the IDs of a machine's goal
// state.
const wireServerVersion = "2012-11-30"

func containerID(vm *Resource) string { return getString(vm.Properties, "vmId") }
func roleInstanceID(vm *Resource) string {
	return getString(vm.Properties, "vmId") + "._" + vm.Name
}

func (s *Server) wireServerHandler(key string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("x-ms-version") != ""
		status := s.serveWireServer(w, r, key, header)
		s.logMetadata(key, "wireserver", r, status, header)
	})
}

// healthReport is the part of a health report the WireServer checks.
type healthReport struct {
	XMLName     xml.Name `xml:"Health"`
	Incarnation string   `xml:"GoalStateIncarnation"`
	Container   struct {
		ID    string `xml:"ContainerId"`
		Roles []struct {
			InstanceID string `xml:"InstanceId"`
			State      string `xml:"Health>State"`
		} `xml:"RoleInstanceList>Role"`
	} `xml:"Container"`
}

func (s *Server) serveWireServer(w http.ResponseWriter, r *http.Request, key string, header bool) int {
	fail := func(status int, msg string) int {
		http.Error(w, msg, status)
		return status
	}
	xmlAnswer := func(body string) int {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		io.WriteString(w, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+body)
		return http.StatusOK
	}
	comp := r.URL.Query().Get("comp")
	if r.URL.Path == "/" && comp == "versions" && r.Method == http.MethodGet {
		return xmlAnswer(`<Versions><Preferred><Version>2015-04-05</Version></Preferred><Supported><Version>2015-04-05</Version><Version>2012-11-30</Version><Version>2012-09-15</Version><Version>2012-05-15</Version></Supported></Versions>`)
	}
	if !header {
		return fail(http.StatusBadRequest, "The x-ms-version header is missing.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	vm, bv := s.vms[key], s.booted[key]
	if vm == nil || bv == nil {
		return fail(http.StatusGone, "The machine is gone.")
	}
	switch {
	case r.URL.Path == "/machine/" && comp == "goalstate" && r.Method == http.MethodGet:
		return xmlAnswer(fmt.Sprintf(`<GoalState xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="goalstate10.xsd">
  <Version>%s</Version>
  <Incarnation>1</Incarnation>
  <Machine><ExpectedState>Started</ExpectedState><StopRolesDeadlineHint>300000</StopRolesDeadlineHint><ExpectHealthReport>FALSE</ExpectHealthReport></Machine>
  <Container>
    <ContainerId>%s</ContainerId>
    <RoleInstanceList>
      <RoleInstance><InstanceId>%s</InstanceId><State>Started</State><Configuration></Configuration></RoleInstance>
    </RoleInstanceList>
  </Container>
</GoalState>`, wireServerVersion, containerID(vm), roleInstanceID(vm)))
	case r.URL.Path == "/machine/" && comp == "health" && r.Method == http.MethodPost:
		var h healthReport
		body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
		if err := xml.Unmarshal(body, &h); err != nil {
			return fail(http.StatusBadRequest, "The health report is not valid XML: "+err.Error())
		}
		if h.Incarnation != "1" || h.Container.ID != containerID(vm) || len(h.Container.Roles) != 1 || h.Container.Roles[0].InstanceID != roleInstanceID(vm) {
			return fail(http.StatusBadRequest, "The health report names another goal state, container or role instance than this machine's.")
		}
		if h.Container.Roles[0].State == "Ready" {
			bv.ready = true
		}
		return http.StatusOK
	}
	return fail(http.StatusNotFound, "Not found.")
}
