package sim

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/strata-os/strata/core/cloud/simfuzz"
)

// FuzzRequest: any request to Resource Manager or Blob storage, with a
// token Entra ID gave; SUB in the path is the simulated subscription.
func FuzzRequest(f *testing.F) {
	const g = "/subscriptions/SUB/resourceGroups/g/providers/"
	for _, s := range []struct {
		m          uint8
		path, body string
	}{
		{2, "/subscriptions/SUB/resourcegroups/g?api-version=2021-04-01", `{"location":"westus2","tags":{"created-by":"strata"}}`},
		{0, "/subscriptions/SUB/resourcegroups?api-version=2021-04-01&$filter=tagName%20eq%20'created-by'", ""},
		{2, g + "Microsoft.Network/virtualNetworks/n?api-version=2024-05-01", `{"location":"westus2","properties":{"addressSpace":{"addressPrefixes":["10.0.0.0/16"]},"subnets":[{"name":"s","properties":{"addressPrefix":"10.0.0.0/24"}}]}}`},
		{2, g + "Microsoft.Compute/virtualMachines/m?api-version=2024-07-01", `{"location":"westus2","properties":{"hardwareProfile":{"vmSize":"Standard_D2s_v3"},"storageProfile":{"imageReference":{"publisher":"p","offer":"o","sku":"s","version":"latest"}},"osProfile":{"adminUsername":"core"}}}`},
		{3, g + "Microsoft.Compute/galleries/gal/images/d/versions/1.0.0?api-version=2024-03-03", `{"properties":{"publishingProfile":{"excludeFromLatest":false}}}`},
		{1, g + "Microsoft.Compute/virtualMachines/m/retrieveBootDiagnosticsData?api-version=2024-07-01", ""},
		{4, "/subscriptions/SUB/resourcegroups/g?api-version=2021-04-01", ""},
		{2, "/acct/c/b.vhd?comp=page", "x"},
	} {
		f.Add(s.m, s.path, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, m uint8, path string, body []byte) {
		s := New(Options{})
		s.AddClient("fuzz-app", "fuzz-secret")
		s.AddGroup("g", nil)
		s.AddStorageAccount("g", "acct")
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"fuzz-app"}, "client_secret": {"fuzz-secret"}, "scope": {"https://management.azure.com/.default"}}
		rec := simfuzz.Serve(t, s, http.MethodPost, "/"+s.Tenant()+"/oauth2/v2.0/token", []byte(form.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &tok) != nil || tok.AccessToken == "" {
			t.Fatalf("no token: %d %s", rec.Code, rec.Body)
		}
		simfuzz.Serve(t, s, simfuzz.Method(m), strings.ReplaceAll(path, "SUB", s.Subscription()), body,
			http.Header{"Authorization": {"Bearer " + tok.AccessToken}, "X-Ms-Version": {"2023-11-03"}})
	})
}
