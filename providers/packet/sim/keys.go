package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// Key is a project SSH key.
type Key struct {
	ID, Label, Key, Fingerprint, ProjectID string
	Created                                time.Time
}

func keyJSON(k *Key) map[string]any {
	return map[string]any{"id": k.ID, "label": k.Label, "key": k.Key, "fingerprint": k.Fingerprint, "href": "/metal/v1/ssh-keys/" + k.ID,
		"created_at": k.Created.UTC().Format(time.RFC3339), "updated_at": k.Created.UTC().Format(time.RFC3339),
		"owner": map[string]any{"href": "/metal/v1/projects/" + k.ProjectID}}
}

func (s *Server) createKey(r *http.Request, body []byte) (answer, *apiError) {
	project, aerr := s.project(r)
	if aerr != nil {
		return answer{}, aerr
	}
	var req struct {
		Label string `json:"label"`
		Key   string `json:"key"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, errorf(http.StatusUnprocessableEntity, "The request body is not valid JSON: %v", err)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(req.Key))
	switch {
	case req.Label == "":
		return answer{}, errorf(http.StatusUnprocessableEntity, "Label can't be blank")
	case err != nil:
		return answer{}, errorf(http.StatusUnprocessableEntity, "Key is not a valid SSH public key")
	}
	sum := sha256.Sum256(pub.Marshal())
	fp := base64.RawStdEncoding.EncodeToString(sum[:])
	for _, k := range s.keys {
		if k.ProjectID == project && k.Fingerprint == fp {
			return answer{}, errorf(http.StatusUnprocessableEntity, "Fingerprint has already been taken")
		}
	}
	k := &Key{ID: uuid(), Label: req.Label, Key: strings.TrimSpace(req.Key), Fingerprint: fp, ProjectID: project, Created: s.opts.Now()}
	s.keys[k.ID] = k
	if s.sosServer != nil {
		s.sosServer.Authorize(pub)
	}
	return answer{Status: http.StatusCreated, Body: keyJSON(k)}, nil
}

// listKeys lists a project's keys, in one page as the API does.
func (s *Server) listKeys(r *http.Request, _ []byte) (answer, *apiError) {
	project, aerr := s.project(r)
	if aerr != nil {
		return answer{}, aerr
	}
	items := []any{}
	for _, id := range sortedKeys(s.keys) {
		if k := s.keys[id]; k.ProjectID == project {
			items = append(items, keyJSON(k))
		}
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"ssh_keys": items}}, nil
}

func (s *Server) getKey(r *http.Request, _ []byte) (answer, *apiError) {
	k := s.keys[r.PathValue("id")]
	if k == nil {
		return answer{}, notFound()
	}
	return answer{Status: http.StatusOK, Body: keyJSON(k)}, nil
}

func (s *Server) deleteKey(r *http.Request, _ []byte) (answer, *apiError) {
	k := s.keys[r.PathValue("id")]
	if k == nil {
		return answer{}, notFound()
	}
	delete(s.keys, k.ID)
	return answer{Status: http.StatusNoContent}, nil
}

// Keys lists the labels of every project key, sorted by ID.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range sortedKeys(s.keys) {
		out = append(out, s.keys[id].Label)
	}
	return out
}

// AddKey adds a key to a project, as if someone had made it, with a
// fixed public key, and returns its ID.
func (s *Server) AddKey(project, label string, created time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := &Key{ID: uuid(), Label: label, Key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXmmAYJcHJMzXzcFn+SqI0dmTpbpqbcEmrMKs4WtCvK planted",
		Fingerprint: "planted-" + label, ProjectID: project, Created: created}
	s.keys[k.ID] = k
	return k.ID
}

// KeyExists says whether a key ID is there.
func (s *Server) KeyExists(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[id] != nil
}
