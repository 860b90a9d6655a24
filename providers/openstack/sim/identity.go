package sim

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"time"
)

type user struct {
	id, name, domain, password string
}

type appCred struct {
	id, name, secret string
	user             *user
}

// tokenLife is how long a token is good for (Keystone's default is an
// hour; a test that wants a token to lapse calls ExpireTokens).
const tokenLife = time.Hour

// AddUser makes a user of the Default domain, a member of the project,
// who signs in with the password.
func (s *Server) AddUser(name, password string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[name] = &user{id: s.newID(), name: name, domain: DomainID, password: password}
}

// AddApplicationCredential makes an application credential of the user
// (who must exist) with the ID, name and secret.
func (s *Server) AddApplicationCredential(userName, id, name, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appCreds[id] = &appCred{id: id, name: name, secret: secret, user: s.users[userName]}
}

// ExpireTokens makes every token issued so far invalid, as when they
// lapse: the next call of a client gets a 401 and must sign in again.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

func (s *Server) validToken(t string) bool {
	exp, ok := s.tokens[t]
	return ok && s.opts.Now().Before(exp)
}

// versions answers version discovery at the identity root, as Keystone
// does for an auth_url without a version.
func (s *Server) versions(*http.Request, []byte) (answer, *apiError) {
	return answer{status: http.StatusMultipleChoices, body: map[string]any{"versions": map[string]any{"values": []any{map[string]any{
		"id": "v3.14", "status": "stable", "updated": "2020-04-07T00:00:00Z",
		"links":       []any{map[string]any{"rel": "self", "href": s.endpoint("/identity/v3/")}},
		"media-types": []any{map[string]any{"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}},
	}}}}}, nil
}

// serviceVersions answers a service's version document at its root, as
// Glance and Neutron do (the newest version CURRENT, older ones
// SUPPORTED), which clients read to choose a version.
func (s *Server) serviceVersions(path string, ids ...string) handler {
	return func(*http.Request, []byte) (answer, *apiError) {
		var vs []any
		for i, id := range ids {
			status := "SUPPORTED"
			if i == 0 {
				status = "CURRENT"
			}
			vs = append(vs, map[string]any{"id": id, "status": status, "links": []any{map[string]any{"rel": "self", "href": s.endpoint(path)}}})
		}
		return answer{status: http.StatusMultipleChoices, body: map[string]any{"versions": vs}}, nil
	}
}

// authRequest is the part of a token create the simulator reads.
type authRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User userRef `json:"user"`
			} `json:"password"`
			ApplicationCredential struct {
				ID     string   `json:"id"`
				Name   string   `json:"name"`
				Secret string   `json:"secret"`
				User   *userRef `json:"user"`
			} `json:"application_credential"`
		} `json:"identity"`
		Scope *struct {
			Project *struct {
				ID     string    `json:"id"`
				Name   string    `json:"name"`
				Domain domainRef `json:"domain"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

type userRef struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Password string    `json:"password"`
	Domain   domainRef `json:"domain"`
}

type domainRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func (d domainRef) isDefault() bool {
	return (d.ID == "" && d.Name == "") || d.ID == DomainID || d.Name == DomainName
}

var unauthorized = errorf(http.StatusUnauthorized, "The request you have made requires authentication.")

// createToken signs a user in by password or application credential and
// answers the token in X-Subject-Token with the catalog.
func (s *Server) createToken(_ *http.Request, body []byte) (answer, *apiError) {
	var req authRequest
	if err := decode(body, &req); err != nil {
		return answer{}, err
	}
	id := req.Auth.Identity
	var u *user
	method := ""
	if len(id.Methods) == 1 {
		method = id.Methods[0]
	}
	switch method {
	case "password":
		ref := id.Password.User
		for _, c := range s.users {
			if (ref.ID != "" && c.id == ref.ID) || (ref.Name == c.name && ref.Domain.isDefault()) {
				u = c
			}
		}
		if u == nil || subtle.ConstantTimeCompare([]byte(u.password), []byte(ref.Password)) != 1 {
			return answer{}, unauthorized
		}
	case "application_credential":
		ac := id.ApplicationCredential
		var found *appCred
		if ac.ID != "" {
			found = s.appCreds[ac.ID]
		} else if ac.User != nil {
			for _, c := range s.appCreds {
				if c.name == ac.Name && c.user != nil && (c.user.id == ac.User.ID || c.user.name == ac.User.Name) {
					found = c
				}
			}
		}
		if found == nil || found.user == nil || subtle.ConstantTimeCompare([]byte(found.secret), []byte(ac.Secret)) != 1 {
			return answer{}, unauthorized
		}
		u = found.user
		if req.Auth.Scope != nil {
			return answer{}, errorf(http.StatusUnauthorized, "Application credentials cannot request a scope.")
		}
	default:
		return answer{}, badRequest("Expecting to find one of methods password or application_credential in identity.")
	}
	// An application credential is scoped to its project; a password
	// sign-in must name the project to get a catalog.
	if method == "password" {
		sc := req.Auth.Scope
		if sc == nil || sc.Project == nil {
			return answer{}, errorf(http.StatusUnauthorized, "strata's simulator gives tokens scoped to a project only: name project %s", ProjectName)
		}
		p := sc.Project
		if !(p.ID == ProjectID || (p.Name == ProjectName && p.Domain.isDefault())) {
			return answer{}, errorf(http.StatusUnauthorized, "User %s has no access to project %s%s", u.id, p.ID, p.Name)
		}
	}
	b := make([]byte, 24)
	rand.Read(b)
	tok := "gAAAAA" + hex.EncodeToString(b)
	now := s.opts.Now()
	s.tokens[tok] = now.Add(tokenLife)
	return answer{status: http.StatusCreated, header: map[string]string{"X-Subject-Token": tok}, body: map[string]any{"token": map[string]any{
		"methods":    []string{method},
		"user":       map[string]any{"id": u.id, "name": u.name, "domain": map[string]any{"id": DomainID, "name": DomainName}, "password_expires_at": nil},
		"project":    map[string]any{"id": ProjectID, "name": ProjectName, "domain": map[string]any{"id": DomainID, "name": DomainName}},
		"roles":      []any{map[string]any{"id": "9fe2ff9ee4384b1894a90878d3e92bab", "name": "member"}},
		"issued_at":  now.UTC().Format("2006-01-02T15:04:05.000000Z"),
		"expires_at": now.Add(tokenLife).UTC().Format("2006-01-02T15:04:05.000000Z"),
		"catalog":    s.catalog(),
	}}}, nil
}

// catalog lists the services, each with a public and an internal
// endpoint in the one region (both reach this server).
func (s *Server) catalog() []any {
	svc := func(typ, name, path string) map[string]any {
		var eps []any
		for _, iface := range []string{"public", "internal"} {
			eps = append(eps, map[string]any{"id": s.newID(), "interface": iface, "region": s.opts.Region, "region_id": s.opts.Region, "url": s.endpoint(path)})
		}
		return map[string]any{"id": s.newID(), "type": typ, "name": name, "endpoints": eps}
	}
	return []any{
		svc("identity", "keystone", "/identity"),
		svc("compute", "nova", "/compute/v2.1"),
		svc("image", "glance", "/image"),
		svc("network", "neutron", "/network"),
	}
}
