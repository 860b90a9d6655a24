package sim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// The metadata server of a booted instance, as its guest reaches it at
// 169.254.169.254 (metadata.google.internal), with Compute Engine's rules:
// every request must carry `Metadata-Flavor: Google` (403 otherwise, so a
// page fetched by mistake through a proxy is not served), one that carries
// X-Forwarded-For is refused, answers carry the header back; a directory
// (a path ending in a slash) lists its entries, `?recursive=true` answers
// it as JSON, and `?alt=json` a value as JSON.

// MetadataRequest is one request a guest made to its metadata server.
type MetadataRequest struct {
	Method, Path string
	Status       int
	// Flavor says whether it carried Metadata-Flavor: Google.
	Flavor bool
}

// MetadataLog returns the metadata requests an instance's guest made.
func (s *Server) MetadataLog(name string) []MetadataRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[name]; ok {
		return slices.Clone(in.metadataLog)
	}
	return nil
}

const metadataPrefix = "/computeMetadata/v1/"

func (s *Server) metadataHandler(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		flavor := r.Header.Get("Metadata-Flavor") == "Google"
		status := s.serveMetadata(w, r, name, flavor)
		s.opts.Logger.Info("metadata request", "instance", name, "method", r.Method, "path", r.URL.Path, "status", status, "flavor", flavor)
		s.mu.Lock()
		if in, ok := s.instances[name]; ok {
			in.metadataLog = append(in.metadataLog, MetadataRequest{r.Method, r.URL.Path, status, flavor})
		}
		s.mu.Unlock()
	})
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request, name string, flavor bool) int {
	w.Header().Set("Metadata-Flavor", "Google")
	w.Header().Set("Server", "Metadata Server for VM")
	fail := func(status int, msg string) int {
		http.Error(w, msg, status)
		return status
	}
	if r.Header.Get("X-Forwarded-For") != "" {
		return fail(http.StatusForbidden, "Request forbidden: X-Forwarded-For header present.")
	}
	if !flavor {
		return fail(http.StatusForbidden, "Missing Metadata-Flavor:Google header.")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return fail(http.StatusMethodNotAllowed, "Method not allowed.")
	}
	p, ok := strings.CutPrefix(r.URL.Path, metadataPrefix)
	if !ok {
		return fail(http.StatusNotFound, "Not found.")
	}
	s.mu.Lock()
	in, ok := s.instances[name]
	var tree map[string]string
	if ok {
		tree = s.metadataTree(in)
	}
	s.mu.Unlock()
	if !ok {
		return fail(http.StatusNotFound, "Not found.")
	}
	q := r.URL.Query()
	if v, ok := tree[p]; ok {
		if q.Get("alt") == "json" {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v)
			return http.StatusOK
		}
		w.Header().Set("Content-Type", "application/text")
		fmt.Fprint(w, v)
		return http.StatusOK
	}
	dir := strings.TrimSuffix(p, "/") + "/"
	if p == "" {
		dir = ""
	}
	entries := subtree(tree, dir)
	if len(entries) == 0 {
		return fail(http.StatusNotFound, "Not found.")
	}
	if !strings.HasSuffix(r.URL.Path, "/") {
		// Compute Engine redirects a directory without its slash.
		http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
		return http.StatusMovedPermanently
	}
	if q.Get("recursive") == "true" {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(nest(entries))
		return http.StatusOK
	}
	var names []string
	for k := range entries {
		first, _, isDir := strings.Cut(k, "/")
		if isDir {
			first += "/"
		}
		if !slices.Contains(names, first) {
			names = append(names, first)
		}
	}
	slices.Sort(names)
	w.Header().Set("Content-Type", "application/text")
	fmt.Fprint(w, strings.Join(names, "\n")+"\n")
	return http.StatusOK
}

// subtree is the entries below dir, by path relative to it.
func subtree(tree map[string]string, dir string) map[string]string {
	out := map[string]string{}
	for k, v := range tree {
		if rest, ok := strings.CutPrefix(k, dir); ok && rest != "" {
			out[rest] = v
		}
	}
	return out
}

// nest turns paths into nested objects, as recursive=true answers.
func nest(entries map[string]string) map[string]any {
	out := map[string]any{}
	for _, k := range slices.Sorted(maps.Keys(entries)) {
		parts := strings.Split(k, "/")
		m := out
		for _, part := range parts[:len(parts)-1] {
			next, ok := m[part].(map[string]any)
			if !ok {
				next = map[string]any{}
				m[part] = next
			}
			m = next
		}
		m[parts[len(parts)-1]] = entries[k]
	}
	return out
}

// metadataTree is an instance's metadata by path below /computeMetadata/v1/.
// s.mu must be held.
func (s *Server) metadataTree(in *Instance) map[string]string {
	t := map[string]string{
		"instance/id":                           fmt.Sprint(in.id),
		"instance/name":                         in.Name,
		"instance/hostname":                     in.Name + "." + s.opts.Zone + ".c." + s.opts.Project + ".internal",
		"instance/zone":                         "projects/" + projectNumber + "/zones/" + s.opts.Zone,
		"instance/machine-type":                 "projects/" + projectNumber + "/machineTypes/" + in.MachineType,
		"instance/image":                        in.Image,
		"instance/network-interfaces/0/ip":      in.PrivateIP,
		"instance/network-interfaces/0/network": "projects/" + projectNumber + "/networks/" + in.Network,
		"project/project-id":                    s.opts.Project,
		"project/numeric-project-id":            projectNumber,
	}
	if in.PublicIP != "" {
		t["instance/network-interfaces/0/access-configs/0/external-ip"] = in.PublicIP
		t["instance/network-interfaces/0/access-configs/0/type"] = "ONE_TO_ONE_NAT"
	}
	for k, v := range in.Metadata {
		t["instance/attributes/"+k] = v
	}
	return t
}

// projectNumber is the simulated project's number.
const projectNumber = "123456789012"
