package sim

import (
	"net/http"
	"strings"
)

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	fixed := func(name string) func(*http.Request) string { return func(*http.Request) string { return name } }
	s.handle("GET /common/discovery/instance", fixed("oauth2/discovery"), s.instanceDiscovery)
	s.handle("GET /{tenant}/v2.0/.well-known/openid-configuration", fixed("oauth2/openid-configuration"), s.openIDConfiguration)
	s.handle("POST /{tenant}/oauth2/v2.0/token", fixed("oauth2/token"), s.token)
	s.handle("GET /bootdiagnostics/{vm}/serialconsole.log", fixed("Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"), s.serialLog)
}

// serveARM serves Resource Manager: its paths are case-insensitive and
// its SDKs spell them differently ("resourcegroups", "resourceGroups"),
// so one handler parses them.
func (s *Server) serveARM(w http.ResponseWriter, r *http.Request) {
	call, h := s.route(r)
	body, err := readBody(r)
	if err != nil {
		writeError(w, badRequest("InvalidRequestContent", "reading the body: %v", err))
		return
	}
	s.serve(w, r, call, body, h)
}

// armPath is a request path under /subscriptions/{id}/, split.
type armPath struct {
	subscription string
	group        string   // "" outside a resource group
	namespace    string   // provider namespace, "" for the group itself
	segs         []string // after the namespace: type, name, child type, child name, …
}

func parseARMPath(p string) (armPath, bool) {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) < 2 || !strings.EqualFold(parts[0], "subscriptions") {
		return armPath{}, false
	}
	a := armPath{subscription: parts[1]}
	rest := parts[2:]
	if len(rest) >= 2 && strings.EqualFold(rest[0], "resourcegroups") {
		a.group, rest = rest[1], rest[2:]
	} else if len(rest) == 1 && strings.EqualFold(rest[0], "resourcegroups") {
		a.segs = []string{"resourcegroups"}
		return a, true
	}
	if len(rest) >= 2 && strings.EqualFold(rest[0], "providers") {
		a.namespace, a.segs = rest[1], rest[2:]
		return a, true
	}
	a.segs = rest
	return a, true
}

// route picks the handler and the call's ARM operation name.
func (s *Server) route(r *http.Request) (string, handler) {
	a, ok := parseARMPath(r.URL.Path)
	if !ok {
		return "unknown", notFoundHandler(r)
	}
	verb := map[string]string{"GET": "read", "HEAD": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete", "POST": "action"}[r.Method]
	const groups = "Microsoft.Resources/subscriptions/resourceGroups/"
	switch {
	case a.namespace == "" && a.group == "" && len(a.segs) == 1 && strings.EqualFold(a.segs[0], "resourcegroups"):
		if r.Method == "GET" {
			return groups + "read", s.inSubscription(a, s.listGroups)
		}
	case a.namespace == "" && a.group != "" && len(a.segs) == 0:
		switch r.Method {
		case "GET", "HEAD":
			return groups + "read", s.inSubscription(a, s.getGroup(a))
		case "PUT":
			return groups + "write", s.inSubscription(a, s.putGroup(a))
		case "DELETE":
			return groups + "delete", s.inSubscription(a, s.deleteGroup(a))
		}
	case a.namespace == "" && a.group == "" && len(a.segs) == 2 && strings.EqualFold(a.segs[0], "operationresults"):
		return "Microsoft.Resources/subscriptions/operationresults/read", s.inSubscription(a, s.operationResult(a.segs[1]))
	case a.namespace == "" && a.group == "" && len(a.segs) == 1 && strings.EqualFold(a.segs[0], "resources"):
		return "Microsoft.Resources/subscriptions/resources/read", s.inSubscription(a, s.listResources(a))
	case a.namespace != "" && a.group == "" && len(a.segs) == 4 && strings.EqualFold(a.segs[0], "locations") && strings.EqualFold(a.segs[2], "operations"):
		return a.namespace + "/locations/operations/read", s.inSubscription(a, s.operationStatus(a.segs[3]))
	case a.namespace != "" && a.group == "" && len(a.segs) >= 11 && strings.EqualFold(a.segs[0], "locations") && strings.EqualFold(a.segs[2], "publishers"):
		return a.namespace + "/locations/publishers/artifacttypes/offers/skus/versions/read", s.inSubscription(a, s.marketplaceImage(a))
	case a.namespace != "" && len(a.segs) == 1:
		if r.Method == "GET" {
			return a.namespace + "/" + a.segs[0] + "/read", s.inSubscription(a, s.listKind(a))
		}
	case a.namespace != "" && a.group != "" && len(a.segs) >= 2:
		typ := resourceType(a)
		if len(a.segs)%2 == 1 && r.Method == "GET" && kindOf(typ+"/"+a.segs[len(a.segs)-1]) != nil {
			// A nested kind's list: …/galleries/{g}/images.
			return typ + "/" + a.segs[len(a.segs)-1] + "/read", s.inGroup(a, s.listChildren(a))
		}
		if len(a.segs)%2 == 1 { // an action on a resource: …/{name}/{action}
			return typ + "/" + a.segs[len(a.segs)-1] + "/action", s.inGroup(a, s.action(a))
		}
		switch r.Method {
		case "GET":
			return typ + "/" + verb, s.inGroup(a, s.getResource(a))
		case "PUT":
			return typ + "/" + verb, s.inGroup(a, s.putResource(a))
		case "PATCH":
			return typ + "/" + verb, s.inGroup(a, s.patchResource(a))
		case "DELETE":
			return typ + "/" + verb, s.inGroup(a, s.deleteResource(a))
		}
	}
	return "unknown", notFoundHandler(r)
}

// resourceType is ARM's type of the resource a path names:
// "Microsoft.Network/virtualNetworks/subnets".
func resourceType(a armPath) string {
	t := a.namespace
	for i := 0; i+1 < len(a.segs); i += 2 {
		t += "/" + a.segs[i]
	}
	return t
}

func notFoundHandler(r *http.Request) handler {
	return func(*http.Request, []byte) (any, *armError) {
		return nil, notFound("NoRegisteredProviderFound", "No registered resource provider found for the path %s and method %s (the simulator does not serve it).", r.URL.Path, r.Method)
	}
}

// inSubscription serves only the simulator's subscription.
func (s *Server) inSubscription(a armPath, h handler) handler {
	return func(r *http.Request, body []byte) (any, *armError) {
		if !strings.EqualFold(a.subscription, s.opts.Subscription) {
			return nil, notFound("SubscriptionNotFound", "The subscription '%s' could not be found.", a.subscription)
		}
		s.advance()
		return h(r, body)
	}
}

// inGroup serves resources of an existing resource group.
func (s *Server) inGroup(a armPath, h handler) handler {
	return s.inSubscription(a, func(r *http.Request, body []byte) (any, *armError) {
		g := s.groups[strings.ToLower(a.group)]
		if g == nil {
			return nil, notFound("ResourceGroupNotFound", "Resource group '%s' could not be found.", a.group)
		}
		return h(r, body)
	})
}
