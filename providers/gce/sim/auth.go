package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// authorize checks the bearer token when the simulator requires one.
func (s *Server) authorize(r *http.Request) *apiError {
	if !s.opts.RequireAuth || r.URL.Path == "/token" {
		return nil
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || s.tokens[tok] == "" {
		return &apiError{http.StatusUnauthorized, "authError", "Request is missing required authentication credential."}
	}
	return nil
}

// Accounts lists who was issued tokens (service accounts' client_email).
func (s *Server) Accounts() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, a := range s.tokens {
		out = append(out, a)
	}
	return out
}

// oauthError is the token endpoint's error answer.
func oauthError(code, description string) rawResponse {
	b, _ := json.Marshal(map[string]string{"error": code, "error_description": description})
	return rawResponse{status: http.StatusBadRequest, header: http.Header{"Content-Type": {"application/json; charset=utf-8"}}, body: b}
}

// token is OAuth 2.0's token endpoint for the JWT bearer grant a service
// account key makes. The assertion's signature is not checked: the
// simulator has no keys; who asked is read from its claims.
// Its errors are OAuth's (RFC 6749 section 5.2: "error" and
// "error_description"), not the APIs' error object.
func (s *Server) token(r *http.Request, body []byte) (any, *apiError) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return oauthError("invalid_request", "malformed form: "+err.Error()), nil
	}
	if g := form.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		return oauthError("unsupported_grant_type", fmt.Sprintf("grant_type %q is not simulated", g)), nil
	}
	parts := strings.Split(form.Get("assertion"), ".")
	if len(parts) != 3 {
		return oauthError("invalid_grant", "Invalid JWT: not three parts"), nil
	}
	claims, err := base64.RawURLEncoding.DecodeString(parts[1])
	var c struct {
		Iss string `json:"iss"`
	}
	if err != nil || json.Unmarshal(claims, &c) != nil || c.Iss == "" {
		return oauthError("invalid_grant", "Invalid JWT: no issuer"), nil
	}
	tok := fmt.Sprintf("sim-token-%d", s.nextID())
	s.tokens[tok] = c.Iss
	return map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600}, nil
}
