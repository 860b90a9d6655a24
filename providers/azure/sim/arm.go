package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Resource is what the simulator holds of one ARM resource.
type Resource struct {
	ID, Name, Type, Location string
	// Group is the resource group's name as it was created ("" for a
	// resource group itself).
	Group      string
	Tags       map[string]string
	Properties map[string]any
	// Extra are the resource's other top-level fields (sku, zones, plan).
	Extra   map[string]any
	Created time.Time
	// State is provisioningState: Creating, Updating, Succeeded,
	// Deleting.
	State string
}

// json is the resource as ARM answers it.
func (r *Resource) json() map[string]any {
	props := maps.Clone(r.Properties)
	if props == nil {
		props = map[string]any{}
	}
	props["provisioningState"] = r.State
	out := map[string]any{"id": r.ID, "name": r.Name, "type": r.Type, "properties": props}
	if r.Location != "" {
		out["location"] = r.Location
	}
	if len(r.Tags) > 0 {
		out["tags"] = r.Tags
	}
	for k, v := range r.Extra {
		out[k] = v
	}
	return out
}

// operation is a long-running operation: InProgress for some polls or
// some time, then done (its effect applied).
type operation struct {
	polls   int
	started time.Time
	done    bool
	finish  func() // the operation's effect, run once when it is done
	// ready, if set, holds the operation InProgress past its polls and
	// time until it says so (a booted VM until its guest reports ready);
	// an error fails the operation instead.
	ready func() (bool, *armError)
	err   *armError // why it failed
}

// complete ends an operation whose polls or time are up, unless it is
// held: it finishes, or fails without its effect.
func (op *operation) complete() {
	if op.ready != nil {
		ok, err := op.ready()
		if err != nil {
			op.done, op.err = true, err
			return
		}
		if !ok {
			return
		}
	}
	op.done = true
	op.finish()
}

// operationPreempted is the code of an operation a later one on the
// same resource cancelled (a create ended by a delete); its status is
// Canceled, not Failed.
const operationPreempted = "OperationPreempted"

// operationTime is how long an operation runs when nobody polls it: ARM
// goes on with an operation whose caller went away.
const operationTime = 2 * time.Second

// startOperation registers an operation and returns its ID; ready, if
// set, holds it (see operation).
func (s *Server) startOperation(finish func(), ready func() (bool, *armError)) string {
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", s.nextID(), s.opts.Now().UnixNano()&0xffffffffffff)
	s.operations[id] = &operation{started: s.opts.Now(), finish: finish, ready: ready}
	return id
}

// advance finishes the operations whose time is up.
func (s *Server) advance() {
	for _, op := range s.operations {
		if !op.done && s.opts.Now().Sub(op.started) >= operationTime {
			op.complete()
		}
	}
}

// poll is one look at an operation by its caller.
func (s *Server) poll(id string) (*operation, *armError) {
	op := s.operations[id]
	if op == nil {
		return nil, notFound("OperationNotFound", "The operation '%s' could not be found.", id)
	}
	if !op.done {
		op.polls++
		if op.polls > s.opts.OperationPolls {
			op.complete()
		}
	}
	return op, nil
}

// retryAfter is the header an operation's answers carry.
func (s *Server) retryAfter() http.Header {
	return http.Header{"Retry-After-Ms": {strconv.FormatInt(s.opts.PollAfter.Milliseconds(), 10)}}
}

// operationStatus serves an Azure-AsyncOperation URL.
func (s *Server) operationStatus(id string) handler {
	return func(*http.Request, []byte) (any, *armError) {
		op, err := s.poll(id)
		if err != nil {
			return nil, err
		}
		if !op.done {
			return response{status: http.StatusOK, header: s.retryAfter(), body: map[string]any{"name": id, "status": "InProgress", "startTime": op.started.UTC().Format(time.RFC3339Nano)}}, nil
		}
		if op.err != nil {
			status := "Failed"
			if op.err.code == operationPreempted {
				status = "Canceled"
			}
			return map[string]any{"name": id, "status": status, "startTime": op.started.UTC().Format(time.RFC3339Nano),
				"error": map[string]any{"code": op.err.code, "message": op.err.message}}, nil
		}
		return map[string]any{"name": id, "status": "Succeeded", "startTime": op.started.UTC().Format(time.RFC3339Nano)}, nil
	}
}

// operationResult serves a Location URL: 202 while running, then 200.
func (s *Server) operationResult(id string) handler {
	return func(*http.Request, []byte) (any, *armError) {
		op, err := s.poll(id)
		if err != nil {
			return nil, err
		}
		if !op.done {
			h := s.retryAfter()
			h.Set("Location", s.base+"/subscriptions/"+s.opts.Subscription+"/operationresults/"+id+"?api-version=2022-09-01")
			return response{status: http.StatusAccepted, header: h}, nil
		}
		return response{status: http.StatusOK}, nil
	}
}

// asyncHeaders are the headers of a long-running write or delete that
// reports through Azure-AsyncOperation (and Location for deletes).
func (s *Server) asyncHeaders(namespace, id string, r *http.Request) http.Header {
	h := s.retryAfter()
	v := r.URL.Query().Get("api-version")
	h.Set("Azure-AsyncOperation", fmt.Sprintf("%s/subscriptions/%s/providers/%s/locations/%s/operations/%s?api-version=%s", s.base, s.opts.Subscription, namespace, s.opts.Location, id, v))
	if r.Method == "DELETE" {
		h.Set("Location", s.base+"/subscriptions/"+s.opts.Subscription+"/operationresults/"+id+"?api-version="+v)
	}
	return h
}

func readBody(r *http.Request) ([]byte, error) { return io.ReadAll(r.Body) }

// putBody is the part of a PUT body every resource has.
type putBody struct {
	Location   string            `json:"location"`
	Tags       map[string]string `json:"tags"`
	Properties map[string]any    `json:"properties"`
}

func decodePut(body []byte) (putBody, map[string]any, *armError) {
	var b putBody
	var all map[string]any
	if err := json.Unmarshal(body, &b); err != nil {
		return b, nil, badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
	}
	json.Unmarshal(body, &all)
	extra := map[string]any{}
	for k, v := range all {
		switch k {
		case "location", "tags", "properties", "id", "name", "type", "etag":
		default:
			extra[k] = v
		}
	}
	return b, extra, nil
}

// page answers one page of a list, with a nextLink to the rest.
func (s *Server) page(r *http.Request, items []map[string]any) map[string]any {
	start, _ := strconv.Atoi(r.URL.Query().Get("$skiptoken"))
	if start < 0 || start > len(items) {
		start = len(items)
	}
	size := s.opts.PageSize
	if top, err := strconv.Atoi(r.URL.Query().Get("$top")); err == nil && top > 0 && top < size {
		size = top
	}
	end := min(start+size, len(items))
	out := map[string]any{"value": items[start:end]}
	if end < len(items) {
		q := r.URL.Query()
		q.Set("$skiptoken", strconv.Itoa(end))
		out["nextLink"] = s.base + r.URL.Path + "?" + q.Encode()
	}
	return out
}

// tagFilter reads a list's $filter as ARM takes it for resource groups
// and resources: "tagName eq 'K'" and optionally "and tagValue eq 'V'".
func tagFilter(r *http.Request) (name, value string, ok bool, err *armError) {
	f := strings.TrimSpace(r.URL.Query().Get("$filter"))
	if f == "" {
		return "", "", false, nil
	}
	var n, v string
	if _, e := fmt.Sscanf(f, "tagName eq %s and tagValue eq %s", &n, &v); e == nil {
		return strings.Trim(n, "'"), strings.Trim(v, "'"), true, nil
	}
	if _, e := fmt.Sscanf(f, "tagName eq %s", &n); e == nil && !strings.Contains(f, " and ") {
		return strings.Trim(n, "'"), "", true, nil
	}
	return "", "", false, badRequest("InvalidFilterInQueryString", "Invalid $filter '%s' specified in the query string (the simulator takes tagName eq '…' [and tagValue eq '…']).", f)
}

func matchesTag(tags map[string]string, name, value string) bool {
	for k, v := range tags {
		if strings.EqualFold(k, name) && (value == "" || v == value) {
			return true
		}
	}
	return false
}

// sortedResources returns resources in ID order.
func sortedResources(rs []*Resource) []*Resource {
	slices.SortFunc(rs, func(a, b *Resource) int { return strings.Compare(strings.ToLower(a.ID), strings.ToLower(b.ID)) })
	return rs
}

// groupID is a resource group's ID.
func (s *Server) groupID(name string) string {
	return "/subscriptions/" + s.opts.Subscription + "/resourceGroups/" + name
}

func (s *Server) listGroups(r *http.Request, _ []byte) (any, *armError) {
	name, value, filtered, err := tagFilter(r)
	if err != nil {
		return nil, err
	}
	var items []map[string]any
	for _, g := range sortedResources(slices.Collect(maps.Values(s.groups))) {
		if filtered && !matchesTag(g.Tags, name, value) {
			continue
		}
		items = append(items, g.json())
	}
	return s.page(r, items), nil
}

func (s *Server) getGroup(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		g := s.groups[strings.ToLower(a.group)]
		if g == nil {
			if r.Method == "HEAD" {
				return response{status: http.StatusNotFound}, nil
			}
			return nil, notFound("ResourceGroupNotFound", "Resource group '%s' could not be found.", a.group)
		}
		if r.Method == "HEAD" {
			return response{status: http.StatusNoContent}, nil
		}
		return g.json(), nil
	}
}

// putGroup creates or updates a resource group; it is not long-running.
func (s *Server) putGroup(a armPath) handler {
	return func(r *http.Request, body []byte) (any, *armError) {
		b, _, err := decodePut(body)
		if err != nil {
			return nil, err
		}
		if aerr := s.checkLocation(b.Location); aerr != nil {
			return nil, aerr
		}
		if aerr := checkName(a.group, 90, "resource group"); aerr != nil {
			return nil, aerr
		}
		key := strings.ToLower(a.group)
		if g := s.groups[key]; g != nil {
			if g.State == "Deleting" {
				return nil, &armError{http.StatusConflict, "ResourceGroupBeingDeleted", fmt.Sprintf("The resource group '%s' is in deprovisioning state and cannot perform this operation.", g.Name)}
			}
			g.Tags = b.Tags
			return g.json(), nil
		}
		g := &Resource{ID: s.groupID(a.group), Name: a.group, Type: "Microsoft.Resources/resourceGroups", Location: b.Location, Tags: b.Tags, Created: s.opts.Now(), State: "Succeeded"}
		s.groups[key] = g
		return response{status: http.StatusCreated, body: g.json()}, nil
	}
}

// deleteGroup deletes a resource group and everything in it, as a
// long-running operation with a Location header.
func (s *Server) deleteGroup(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		key := strings.ToLower(a.group)
		g := s.groups[key]
		if g == nil {
			return nil, notFound("ResourceGroupNotFound", "Resource group '%s' could not be found.", a.group)
		}
		g.State = "Deleting"
		prefix := strings.ToLower(g.ID) + "/"
		id := s.startOperation(func() {
			for k, res := range s.resources {
				if strings.HasPrefix(k, prefix) {
					s.removeResource(res)
				}
			}
			delete(s.groups, key)
		}, nil)
		h := s.retryAfter()
		h.Set("Location", s.base+"/subscriptions/"+s.opts.Subscription+"/operationresults/"+id+"?api-version="+r.URL.Query().Get("api-version"))
		return response{status: http.StatusAccepted, header: h}, nil
	}
}

func (s *Server) checkLocation(loc string) *armError {
	if loc == "" {
		return badRequest("LocationRequired", "The location property is required for this definition.")
	}
	if normalizeLocation(loc) != normalizeLocation(s.opts.Location) {
		return badRequest("LocationNotAvailableForResourceGroup", "The provided location '%s' is not available for resource group. List of available regions is '%s'.", loc, s.opts.Location)
	}
	return nil
}

func normalizeLocation(l string) string { return strings.ToLower(strings.ReplaceAll(l, " ", "")) }

// checkName applies ARM's common name rules: 1 to max characters,
// letters, digits, '-', '_', '.', not ending in '.'.
func checkName(name string, max int, what string) *armError {
	ok := len(name) >= 1 && len(name) <= max && !strings.HasSuffix(name, ".")
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '(' || c == ')') {
			ok = false
		}
	}
	if !ok {
		return badRequest("InvalidResourceName", "The %s name '%s' is invalid: 1-%d letters, digits, '-', '_', '.', '(' or ')', not ending in '.'.", what, name, max)
	}
	return nil
}

// listResources is the subscription's generic resource list, filtered by
// tag (as `az resource list --tag` and GC use it).
func (s *Server) listResources(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		name, value, filtered, err := tagFilter(r)
		if err != nil {
			return nil, err
		}
		var items []map[string]any
		for _, res := range sortedResources(slices.Collect(maps.Values(s.resources))) {
			if strings.Count(res.Type, "/") != 1 || (filtered && !matchesTag(res.Tags, name, value)) {
				continue // child resources are not listed on their own
			}
			items = append(items, map[string]any{"id": res.ID, "name": res.Name, "type": res.Type, "location": res.Location, "tags": res.Tags})
		}
		return s.page(r, items), nil
	}
}

// listKind lists the resources of one type, in a group or the whole
// subscription.
func (s *Server) listKind(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		typ := strings.ToLower(a.namespace + "/" + a.segs[0])
		if a.group != "" && s.groups[strings.ToLower(a.group)] == nil {
			return nil, notFound("ResourceGroupNotFound", "Resource group '%s' could not be found.", a.group)
		}
		var items []map[string]any
		for _, res := range sortedResources(slices.Collect(maps.Values(s.resources))) {
			if strings.ToLower(res.Type) != typ || (a.group != "" && !strings.EqualFold(res.Group, a.group)) {
				continue
			}
			items = append(items, s.present(res))
		}
		return s.page(r, items), nil
	}
}

// resourceID is the ID of the resource a path names, as ARM spells it.
func (s *Server) resourceID(a armPath) string {
	g := a.group
	if res := s.groups[strings.ToLower(a.group)]; res != nil {
		g = res.Name
	}
	return s.groupID(g) + "/providers/" + a.namespace + "/" + strings.Join(a.segs, "/")
}

func (s *Server) lookup(a armPath) *Resource {
	return s.resources[strings.ToLower(s.resourceID(a))]
}

// Resources lists what the simulator holds of a type
// ("Microsoft.Compute/virtualMachines"), in ID order.
func (s *Server) Resources(typ string) []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	var out []Resource
	for _, r := range sortedResources(slices.Collect(maps.Values(s.resources))) {
		if strings.EqualFold(r.Type, typ) {
			out = append(out, *r)
		}
	}
	return out
}

// Groups lists the resource groups, in ID order.
func (s *Server) Groups() []Resource {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	var out []Resource
	for _, g := range sortedResources(slices.Collect(maps.Values(s.groups))) {
		out = append(out, *g)
	}
	return out
}
