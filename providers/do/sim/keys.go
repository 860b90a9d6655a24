package sim

import (
	"crypto/ed25519"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Key is an SSH key of the account.
type Key struct {
	ID                           int
	Name, PublicKey, Fingerprint string
}

func keyJSON(k *Key) map[string]any {
	return map[string]any{"id": k.ID, "name": k.Name, "public_key": k.PublicKey, "fingerprint": k.Fingerprint}
}

// fingerprint is an OpenSSH public key's MD5 fingerprint, as DigitalOcean
// shows it (aa:bb:…); "" for what is not a public key.
func fingerprint(pub string) string {
	f := strings.Fields(pub)
	if len(f) < 2 || !strings.HasPrefix(f[0], "ssh-") && !strings.HasPrefix(f[0], "ecdsa-") {
		return ""
	}
	blob, err := base64.StdEncoding.DecodeString(f[1])
	if err != nil {
		return ""
	}
	sum := md5.Sum(blob)
	hex := make([]string, len(sum))
	for i, b := range sum {
		hex[i] = fmt.Sprintf("%02x", b)
	}
	return strings.Join(hex, ":")
}

// keyRef finds a key by ID or fingerprint.
func (s *Server) keyRef(ref string) *Key {
	if id, err := strconv.Atoi(ref); err == nil {
		return s.keys[id]
	}
	for _, k := range s.keys {
		if k.Fingerprint == ref {
			return k
		}
	}
	return nil
}

func (s *Server) createKey(r *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		Name      string `json:"name"`
		PublicKey string `json:"public_key"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return answer{}, &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: "The request body is not valid JSON: " + err.Error()}
	}
	fp := fingerprint(req.PublicKey)
	switch {
	case req.Name == "":
		return answer{}, unprocessable("Name can't be blank.")
	case fp == "":
		return answer{}, unprocessable("Key invalid type, we support 'ssh-rsa', 'ssh-ed25519', 'ssh-dss', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', or 'ecdsa-sha2-nistp521'.")
	}
	for _, k := range s.keys {
		if k.Fingerprint == fp {
			return answer{}, unprocessable("SSH Key is already in use on your account.")
		}
	}
	k := &Key{ID: s.nextID(), Name: req.Name, PublicKey: req.PublicKey, Fingerprint: fp}
	s.keys[k.ID] = k
	return answer{Status: http.StatusCreated, Body: map[string]any{"ssh_key": keyJSON(k)}}, nil
}

func (s *Server) getKey(r *http.Request, _ []byte) (answer, *apiError) {
	k := s.keyRef(r.PathValue("id"))
	if k == nil {
		return answer{}, notFound()
	}
	return answer{Status: http.StatusOK, Body: map[string]any{"ssh_key": keyJSON(k)}}, nil
}

func (s *Server) listKeys(r *http.Request, _ []byte) (answer, *apiError) {
	items := []any{}
	for _, id := range slices.Sorted(maps.Keys(s.keys)) {
		items = append(items, keyJSON(s.keys[id]))
	}
	return s.page(r, "ssh_keys", items), nil
}

func (s *Server) deleteKey(r *http.Request, _ []byte) (answer, *apiError) {
	k := s.keyRef(r.PathValue("id"))
	if k == nil {
		return answer{}, notFound()
	}
	delete(s.keys, k.ID)
	return answer{Status: http.StatusNoContent}, nil
}

// Keys lists the names of the account's SSH keys, by ID order.
func (s *Server) Keys() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, id := range slices.Sorted(maps.Keys(s.keys)) {
		out = append(out, s.keys[id].Name)
	}
	return out
}

// AddKey adds an SSH key (a new ed25519 one) at once, named name, and
// returns its ID.
func (s *Server) AddKey(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	blob := append(sshString("ssh-ed25519"), sshString(string(pub))...)
	pubText := "ssh-ed25519 " + base64.StdEncoding.EncodeToString(blob) + " " + name
	k := &Key{ID: s.nextID(), Name: name, PublicKey: pubText, Fingerprint: fingerprint(pubText)}
	s.keys[k.ID] = k
	return k.ID
}

// sshString is an SSH wire-format string: a length, then the bytes.
func sshString(v string) []byte {
	n := len(v)
	return append([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, v...)
}

// KeyExists says whether a key ID is there.
func (s *Server) KeyExists(id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys[id] != nil
}
