package sim

import (
	"crypto/md5"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// KeyPair is a Nova key pair.
type KeyPair struct {
	Name, PublicKey, Fingerprint string
	Created                      time.Time
}

func (k *KeyPair) json() map[string]any {
	return map[string]any{"name": k.Name, "public_key": k.PublicKey, "fingerprint": k.Fingerprint, "type": "ssh"}
}

// keyPairName is what Nova takes as a key pair's name.
var keyPairName = regexp.MustCompile(`^[a-zA-Z0-9 _.@-]{1,255}$`)

func (s *Server) createKeyPair(_ *http.Request, body []byte) (answer, *apiError) {
	var req struct {
		KeyPair struct {
			Name      string `json:"name"`
			PublicKey string `json:"public_key"`
		} `json:"keypair"`
	}
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	kp := req.KeyPair
	switch {
	case !keyPairName.MatchString(kp.Name):
		return answer{}, badRequest("Keypair data is invalid: Keypair name contains unsafe characters")
	case kp.PublicKey == "":
		// Nova would make a key and answer its private half; strata
		// always brings its own.
		return answer{}, badRequest("strata's simulator does not generate key pairs: give public_key")
	case s.keypairs[kp.Name] != nil:
		return answer{}, errorf(http.StatusConflict, "Key pair '%s' already exists.", kp.Name)
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey([]byte(kp.PublicKey))
	if err != nil {
		return answer{}, badRequest("Keypair data is invalid: failed to generate fingerprint")
	}
	sum := md5.Sum(pub.Marshal())
	var fp []string
	for _, b := range sum {
		fp = append(fp, fmt.Sprintf("%02x", b))
	}
	k := &KeyPair{Name: kp.Name, PublicKey: kp.PublicKey, Fingerprint: strings.Join(fp, ":"), Created: s.opts.Now()}
	s.keypairs[k.Name] = k
	return answer{status: http.StatusOK, body: map[string]any{"keypair": map[string]any{
		"name": k.Name, "public_key": k.PublicKey, "fingerprint": k.Fingerprint, "user_id": "", "type": "ssh"}}}, nil
}

// listKeyPairs lists every key pair, each wrapped in {"keypair"} as Nova
// does, in one page (Nova pages key pairs only from microversion 2.35).
func (s *Server) listKeyPairs(*http.Request, []byte) (answer, *apiError) {
	var items []any
	for _, name := range slices.Sorted(maps.Keys(s.keypairs)) {
		items = append(items, map[string]any{"keypair": s.keypairs[name].json()})
	}
	if items == nil {
		items = []any{}
	}
	return answer{status: http.StatusOK, body: map[string]any{"keypairs": items}}, nil
}

func (s *Server) getKeyPair(r *http.Request, _ []byte) (answer, *apiError) {
	k := s.keypairs[r.PathValue("name")]
	if k == nil {
		return answer{}, notFound("Keypair %s not found for user", r.PathValue("name"))
	}
	j := k.json()
	j["created_at"] = k.Created.UTC().Format("2006-01-02T15:04:05.000000")
	j["id"], j["user_id"], j["deleted"] = 1, "", false
	return answer{status: http.StatusOK, body: map[string]any{"keypair": j}}, nil
}

func (s *Server) deleteKeyPair(r *http.Request, _ []byte) (answer, *apiError) {
	name := r.PathValue("name")
	if s.keypairs[name] == nil {
		return answer{}, notFound("Keypair %s not found for user", name)
	}
	delete(s.keypairs, name)
	return answer{status: http.StatusAccepted}, nil
}

// KeyPairs lists the key pairs' names, sorted.
func (s *Server) KeyPairs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.keypairs))
}

// AddKeyPair adds a key pair with a fixed key, as if someone had made it.
func (s *Server) AddKeyPair(name string, created time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keypairs[name] = &KeyPair{Name: name, PublicKey: plantedKey, Fingerprint: "00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff", Created: created}
}

const plantedKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBXmmAYJcHJMzXzcFn+SqI0dmTpbpqbcEmrMKs4WtCvK planted"
