package sim

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// isEntra reports whether a request is for Microsoft Entra ID (the
// authority), which has no api-version and no bearer token.
func isEntra(r *http.Request) bool {
	p := r.URL.Path
	return strings.Contains(p, "/oauth2/") || strings.Contains(p, "/.well-known/") || strings.HasPrefix(p, "/common/discovery/")
}

// authorize checks ARM's bearer token: one the token endpoint issued.
func (s *Server) authorize(r *http.Request) *armError {
	if isEntra(r) || strings.HasPrefix(r.URL.Path, "/bootdiagnostics/") {
		return nil
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return &armError{http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing."}
	}
	if s.tokens[tok] == "" {
		return &armError{http.StatusUnauthorized, "InvalidAuthenticationToken", "The access token is invalid."}
	}
	if isStorageAudience(s.audiences[tok]) {
		return &armError{http.StatusUnauthorized, "InvalidAuthenticationTokenAudience", "The access token has been obtained for wrong audience or resource '" + s.audiences[tok] + "'."}
	}
	return nil
}

// Clients lists the application IDs that were issued tokens.
func (s *Server) Clients() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	var out []string
	for _, c := range s.tokens {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// authority is the URL of the simulator's directory, as MSAL builds it.
func (s *Server) authority(tenant string) string { return s.base + "/" + tenant }

// instanceDiscovery is Entra's instance metadata: the authority is its
// own alias, and its tenants' configuration is found under it.
func (s *Server) instanceDiscovery(r *http.Request, _ []byte) (any, *armError) {
	host := strings.TrimPrefix(s.base, "https://")
	return map[string]any{
		"tenant_discovery_endpoint": s.base + "/" + s.opts.Tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": host, "preferred_cache": host, "aliases": []string{host},
		}},
	}, nil
}

// openIDConfiguration is the tenant's OpenID Connect metadata; MSAL takes
// the token endpoint from it and checks that the issuer is the authority.
func (s *Server) openIDConfiguration(r *http.Request, _ []byte) (any, *armError) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		return response{status: http.StatusBadRequest, body: oauthError("invalid_tenant", 90002, fmt.Sprintf("AADSTS90002: Tenant '%s' not found.", tenant))}, nil
	}
	a := s.authority(tenant)
	return map[string]any{
		"token_endpoint":                        a + "/oauth2/v2.0/token",
		"authorization_endpoint":                a + "/oauth2/v2.0/authorize",
		"issuer":                                a + "/v2.0",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"tenant_region_scope":                   "NA",
	}, nil
}

func (s *Server) knownTenant(t string) bool {
	return strings.EqualFold(t, s.opts.Tenant) || t == "organizations" || t == "common"
}

// oauthError is Entra's error body (RFC 6749 section 5.2 and its
// AADSTS codes), not ARM's.
func oauthError(code string, aadsts int, description string) map[string]any {
	return map[string]any{"error": code, "error_description": description, "error_codes": []int{aadsts}}
}

// token is the tenant's token endpoint for the client-credentials grant
// with a client secret, as azidentity's ClientSecretCredential (and its
// EnvironmentCredential) makes it.
func (s *Server) token(r *http.Request, body []byte) (any, *armError) {
	tenant := r.PathValue("tenant")
	if !s.knownTenant(tenant) {
		return response{status: http.StatusBadRequest, body: oauthError("invalid_tenant", 90002, fmt.Sprintf("AADSTS90002: Tenant '%s' not found.", tenant))}, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return response{status: http.StatusBadRequest, body: oauthError("invalid_request", 900144, "AADSTS900144: malformed request body: "+err.Error())}, nil
	}
	if g := form.Get("grant_type"); g != "client_credentials" {
		return response{status: http.StatusBadRequest, body: oauthError("unsupported_grant_type", 70003, fmt.Sprintf("AADSTS70003: The app requested an unsupported grant type %q (the simulator has client_credentials).", g))}, nil
	}
	id := form.Get("client_id")
	if form.Get("client_assertion_type") == jwtBearer {
		if resp := s.checkAssertion(tenant, id, form.Get("client_assertion")); resp != nil {
			return *resp, nil
		}
		return s.issue(id, form.Get("scope"))
	}
	secret, known := s.clients[id]
	switch {
	case !known && s.certs[id] != nil:
		return response{status: http.StatusUnauthorized, body: oauthError("invalid_client", 7000216, "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")}, nil
	case !known:
		return response{status: http.StatusBadRequest, body: oauthError("unauthorized_client", 700016, fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory '%s'.", id, tenant))}, nil
	case form.Get("client_secret") == "":
		return response{status: http.StatusUnauthorized, body: oauthError("invalid_client", 7000216, "AADSTS7000216: 'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")}, nil
	case form.Get("client_secret") != secret:
		return response{status: http.StatusUnauthorized, body: oauthError("invalid_client", 7000215, "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.")}, nil
	}
	return s.issue(id, form.Get("scope"))
}

// issue answers an access token for the client and the one resource the
// scope names.
func (s *Server) issue(id, scope string) (any, *armError) {
	// MSAL adds OpenID Connect's own scopes, which Entra ID ignores for
	// this grant; the resource's must end in /.default.
	resources, audience := 0, ""
	for _, sc := range strings.Fields(scope) {
		switch {
		case sc == "openid" || sc == "offline_access" || sc == "profile":
		case strings.HasSuffix(sc, "/.default"):
			resources++
			audience = sc
		default:
			resources = -1
		}
	}
	if resources != 1 {
		return response{status: http.StatusBadRequest, body: oauthError("invalid_scope", 1002012, fmt.Sprintf("AADSTS1002012: The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.", scope))}, nil
	}
	tok := fmt.Sprintf("sim-token-%d", s.nextID())
	s.tokens[tok] = id
	s.audiences[tok] = audience
	return map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": tok}, nil
}

const jwtBearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// AddClientCertificate registers an Entra application whose
// client-credentials flow signs in with a certificate: a JWT client
// assertion signed with the certificate's key (RFC 7523), as
// azidentity's ClientCertificateCredential makes it.
func (s *Server) AddClientCertificate(clientID string, cert *x509.Certificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs[clientID] = cert
}

// checkAssertion verifies a client assertion as Entra ID does: signed
// (PS256, or RS256 with a SHA-1 thumbprint) by the certificate the
// header's thumbprint names, which must be the application's; issued by
// and about the application, for this tenant's token endpoint, and in
// its time. It answers the refusal, or nil.
func (s *Server) checkAssertion(tenant, clientID, assertion string) *response {
	refuse := func(code int, format string, args ...any) *response {
		return &response{status: http.StatusUnauthorized, body: oauthError("invalid_client", code, fmt.Sprintf("AADSTS%d: ", code)+fmt.Sprintf(format, args...))}
	}
	cert := s.certs[clientID]
	if cert == nil {
		return &response{status: http.StatusBadRequest, body: oauthError("unauthorized_client", 700016, fmt.Sprintf("AADSTS700016: Application with identifier '%s' was not found in the directory '%s'.", clientID, tenant))}
	}
	endpoint := s.authority(tenant) + "/oauth2/v2.0/token"
	_, err := jwt.Parse(assertion, func(tok *jwt.Token) (any, error) {
		var want []byte
		var got string
		if v, ok := tok.Header["x5t#S256"].(string); ok {
			sum := sha256.Sum256(cert.Raw)
			want, got = sum[:], v
		} else if v, ok := tok.Header["x5t"].(string); ok {
			sum := sha1.Sum(cert.Raw)
			want, got = sum[:], v
		}
		if thumb, err := decodeThumbprint(got); err != nil || !bytes.Equal(thumb, want) {
			return nil, errUnknownKey
		}
		return cert.PublicKey, nil
	}, jwt.WithValidMethods([]string{"PS256", "RS256"}), jwt.WithAudience(endpoint), jwt.WithIssuer(clientID), jwt.WithSubject(clientID), jwt.WithExpirationRequired())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errUnknownKey):
		return refuse(700027, "The certificate with the thumbprint used to sign the client assertion is not registered on application %s.", clientID)
	case errors.Is(err, jwt.ErrTokenExpired), errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return refuse(700024, "Client assertion is not within its valid time range: %v.", err)
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return refuse(700212, "No matching federated identity record found for presented assertion audience; it must be %s.", endpoint)
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidSubject):
		return refuse(700021, "Client assertion application identifier doesn't match 'client_id' parameter.")
	}
	return refuse(700027, "Client assertion failed signature validation: %v.", err)
}

var errUnknownKey = errors.New("the header names no certificate of the application")

// decodeThumbprint reads a JWT header's thumbprint: base64url as RFC
// 7515 has it, or the standard base64 MSAL sends.
func decodeThumbprint(s string) ([]byte, error) {
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.StdEncoding.DecodeString(s)
}
