package fidelity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"testing"

	compute "cloud.google.com/go/compute/apiv1"
	"cloud.google.com/go/compute/apiv1/computepb"
	"github.com/strata-os/strata/providers/gce/sim"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
	"google.golang.org/api/option"
)

// A service account's JWT grant through golang.org/x/oauth2: the token the
// simulator issues opens its APIs, and a refused grant is an OAuth error
// (RFC 6749's "error" and "error_description") the library can read.
func TestOAuthServiceAccount(t *testing.T) {
	s := sim.New(sim.Options{RequireAuth: true})
	srv := s.Start()
	defer srv.Close()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})
	ctx := context.Background()
	conf := &jwt.Config{Email: "kola@strata-sim.iam.gserviceaccount.com", PrivateKey: pemKey, TokenURL: srv.URL + "/token",
		Scopes: []string{"https://www.googleapis.com/auth/compute"}}
	networks, err := compute.NewNetworksRESTClient(ctx, option.WithEndpoint(srv.URL), option.WithTokenSource(conf.TokenSource(ctx)))
	if err != nil {
		t.Fatal(err)
	}
	defer networks.Close()
	if _, err := networks.Get(ctx, &computepb.GetNetworkRequest{Project: "strata-sim", Network: "default"}); err != nil {
		t.Fatalf("with a token: %v", err)
	}
	if a := s.Accounts(); len(a) != 1 || a[0] != conf.Email {
		t.Errorf("accounts issued tokens: %v", a)
	}

	conf.Email = "" // a JWT without an issuer
	_, err = conf.TokenSource(ctx).Token()
	// x/oauth2/jwt hands the body over unparsed; OAuth clients read these
	// two fields of it.
	var re *oauth2.RetrieveError
	var body struct {
		Error            string `json:"error"`
		ErrorDescription string `json:"error_description"`
	}
	if !errors.As(err, &re) || json.Unmarshal(re.Body, &body) != nil || body.Error != "invalid_grant" || body.ErrorDescription == "" {
		t.Errorf("a refused grant is not an OAuth error: %v", err)
	}
}
