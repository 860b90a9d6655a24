package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/strata-os/strata/core/cloud/fault"
)

// rawClient speaks ARM's wire protocol by hand (net/http and JSON, no
// Azure SDK): the simulator's second client.
type rawClient struct {
	t     *testing.T
	base  string
	http  *http.Client
	token string
	sub   string
}

func startRaw(t *testing.T, opts Options) (*Server, *rawClient) {
	t.Helper()
	s := New(opts)
	srv := s.Start()
	t.Cleanup(srv.Close)
	s.AddClient("app-1", "s3cret")
	c := &rawClient{t: t, base: srv.URL, http: srv.Client(), sub: s.Subscription()}
	// Client credentials, as RFC 6749 section 4.4 has them.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app-1"}, "client_secret": {"s3cret"}, "scope": {srv.URL + "/.default"}}
	resp, err := c.http.PostForm(srv.URL+"/"+s.Tenant()+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != 200 || tok.AccessToken == "" || tok.TokenType != "Bearer" {
		t.Fatalf("token: %s %+v", resp.Status, tok)
	}
	c.token = tok.AccessToken
	return s, c
}

// do sends a request; path is under the subscription unless it starts
// with "https:".
func (c *rawClient) do(method, path string, body any) (*http.Response, map[string]any) {
	c.t.Helper()
	u := path
	if !strings.HasPrefix(path, "https:") {
		u = c.base + "/subscriptions/" + c.sub + path
		if !strings.Contains(u, "api-version=") {
			sep := "?"
			if strings.Contains(u, "?") {
				sep = "&"
			}
			u += sep + "api-version=2024-07-01"
		}
	}
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp, out
}

// wait polls an operation URL until it is done, as ARM's clients do.
func (c *rawClient) wait(resp *http.Response) {
	c.t.Helper()
	async, loc := resp.Header.Get("Azure-AsyncOperation"), resp.Header.Get("Location")
	for range 20 {
		switch {
		case async != "":
			r, body := c.do("GET", async, nil)
			if r.StatusCode != 200 {
				c.t.Fatalf("operation status: %s %v", r.Status, body)
			}
			if body["status"] != "InProgress" {
				if body["status"] != "Succeeded" {
					c.t.Fatalf("operation: %v", body)
				}
				return
			}
		case loc != "":
			r, _ := c.do("GET", loc, nil)
			if r.StatusCode != http.StatusAccepted {
				return
			}
		default:
			return
		}
		time.Sleep(time.Millisecond)
	}
	c.t.Fatal("operation never finished")
}

func errorCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func TestAuthAndAPIVersion(t *testing.T) {
	s, c := startRaw(t, Options{})
	req, _ := http.NewRequest("GET", c.base+"/subscriptions/"+c.sub+"/resourcegroups?api-version=2022-09-01", nil)
	resp, _ := c.http.Do(req)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no token: %s, want 401", resp.Status)
	}
	resp, body := c.do("GET", "/resourcegroups?api-version=", nil)
	if resp.StatusCode != 400 || errorCode(body) != "MissingApiVersionParameter" {
		t.Errorf("no api-version: %s %v", resp.Status, body)
	}
	// A wrong secret gets Entra's error, with its AADSTS code.
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app-1"}, "client_secret": {"wrong"}, "scope": {c.base + "/.default"}}
	resp, err := c.http.PostForm(c.base+"/"+s.Tenant()+"/oauth2/v2.0/token", form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(b), "AADSTS7000215") || !strings.Contains(string(b), `"invalid_client"`) {
		t.Errorf("wrong secret: %s %s", resp.Status, b)
	}
	// MSAL's discovery: the issuer is the authority.
	resp, err = c.http.Get(c.base + "/" + s.Tenant() + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var oidc map[string]any
	json.NewDecoder(resp.Body).Decode(&oidc)
	resp.Body.Close()
	if oidc["issuer"] != c.base+"/"+s.Tenant()+"/v2.0" || oidc["token_endpoint"] != c.base+"/"+s.Tenant()+"/oauth2/v2.0/token" {
		t.Errorf("openid-configuration: %v", oidc)
	}
}

func TestResourceGroupsPageFilterAndDelete(t *testing.T) {
	s, c := startRaw(t, Options{PageSize: 2})
	for i := range 5 {
		tags := map[string]string{"created-by": "strata"}
		if i%2 == 1 {
			tags = map[string]string{"owner": "someone"}
		}
		resp, body := c.do("PUT", fmt.Sprintf("/resourcegroups/g%d", i), map[string]any{"location": "westus2", "tags": tags})
		if resp.StatusCode != http.StatusCreated || body["name"] != fmt.Sprintf("g%d", i) {
			t.Fatalf("create group: %s %v", resp.Status, body)
		}
	}
	if resp, body := c.do("PUT", "/resourcegroups/elsewhere", map[string]any{"location": "mars"}); resp.StatusCode != 400 || errorCode(body) != "LocationNotAvailableForResourceGroup" {
		t.Errorf("wrong location: %s %v", resp.Status, body)
	}
	var names []string
	next := "/resourcegroups?" + url.Values{"$filter": {"tagName eq 'created-by' and tagValue eq 'strata'"}}.Encode()
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("nextLink never ends")
		}
		resp, body := c.do("GET", next, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("list: %s %v", resp.Status, body)
		}
		for _, v := range body["value"].([]any) {
			names = append(names, v.(map[string]any)["name"].(string))
		}
		next, _ = body["nextLink"].(string)
	}
	if strings.Join(names, ",") != "g0,g2,g4" {
		t.Errorf("groups tagged created-by=strata: %v", names)
	}
	// Deleting a group is long-running and takes what is in it.
	if resp, body := c.do("PUT", "/resourceGroups/G0/providers/Microsoft.Network/networkSecurityGroups/nsg", map[string]any{"location": "westus2"}); resp.StatusCode != http.StatusCreated {
		t.Fatalf("create nsg: %s %v", resp.Status, body)
	} else {
		c.wait(resp)
	}
	resp, _ := c.do("DELETE", "/resourcegroups/g0", nil)
	if resp.StatusCode != http.StatusAccepted || resp.Header.Get("Location") == "" {
		t.Fatalf("delete group: %s, Location %q", resp.Status, resp.Header.Get("Location"))
	}
	c.wait(resp)
	if resp, body := c.do("GET", "/resourcegroups/g0", nil); resp.StatusCode != 404 || errorCode(body) != "ResourceGroupNotFound" {
		t.Errorf("deleted group: %s %v", resp.Status, body)
	}
	if n := len(s.Resources("Microsoft.Network/networkSecurityGroups")); n != 0 {
		t.Errorf("%d network security groups left in the deleted group", n)
	}
}

// A machine and the network it needs, made and taken apart in the order
// ARM demands: the interface is refused deletion while the machine holds
// it.
func TestMachineLifecycle(t *testing.T) {
	s, c := startRaw(t, Options{})
	s.AddMarketplaceImage("kinvolk", "flatcar-container-linux-free", "stable", "4230.2.3")
	c.do("PUT", "/resourcegroups/g", map[string]any{"location": "westus2"})
	put := func(path string, body map[string]any) map[string]any {
		t.Helper()
		resp, out := c.do("PUT", "/resourceGroups/g/providers/"+path, body)
		if resp.StatusCode != 201 && resp.StatusCode != 200 {
			t.Fatalf("PUT %s: %s %v", path, resp.Status, out)
		}
		if resp.Header.Get("Azure-AsyncOperation") == "" {
			t.Fatalf("PUT %s: no Azure-AsyncOperation header", path)
		}
		c.wait(resp)
		_, out = c.do("GET", "/resourceGroups/g/providers/"+path, nil)
		if state := out["properties"].(map[string]any)["provisioningState"]; state != "Succeeded" {
			t.Fatalf("%s: provisioningState %v after the operation", path, state)
		}
		return out
	}
	vnet := put("Microsoft.Network/virtualNetworks/net", map[string]any{"location": "westus2", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "machines", "properties": map[string]any{"addressPrefix": "10.0.0.0/20"}}},
	}})
	subnet := vnet["properties"].(map[string]any)["subnets"].([]any)[0].(map[string]any)["id"].(string)
	ip := put("Microsoft.Network/publicIPAddresses/m-ip", map[string]any{"location": "westus2"})
	nic := put("Microsoft.Network/networkInterfaces/m-nic", map[string]any{"location": "westus2", "properties": map[string]any{
		"ipConfigurations": []any{map[string]any{"name": "primary", "properties": map[string]any{"subnet": map[string]any{"id": subnet}, "publicIPAddress": map[string]any{"id": ip["id"]}}}},
	}})
	vm := func(customData string, image map[string]any) map[string]any {
		return map[string]any{"location": "westus2", "properties": map[string]any{
			"hardwareProfile": map[string]any{"vmSize": "Standard_D2s_v3"},
			"storageProfile":  map[string]any{"imageReference": image},
			"osProfile": map[string]any{"computerName": "m", "adminUsername": "core", "customData": customData,
				"linuxConfiguration": map[string]any{"disablePasswordAuthentication": true, "ssh": map[string]any{"publicKeys": []any{map[string]any{"keyData": "ssh-ed25519 AAAA k"}}}}},
			"networkProfile":     map[string]any{"networkInterfaces": []any{map[string]any{"id": nic["id"]}}},
			"diagnosticsProfile": map[string]any{"bootDiagnostics": map[string]any{"enabled": true}},
		}}
	}
	flatcar := map[string]any{"publisher": "kinvolk", "offer": "flatcar-container-linux-free", "sku": "stable", "version": "latest"}
	tooBig := base64.StdEncoding.EncodeToString(make([]byte, 64*1024+1))
	if resp, body := c.do("PUT", "/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/m", vm(tooBig, flatcar)); resp.StatusCode != 400 || errorCode(body) != "InvalidParameter" {
		t.Errorf("custom data over 64 KiB: %s %v", resp.Status, body)
	}
	missing := map[string]any{"publisher": "kinvolk", "offer": "flatcar-container-linux-free", "sku": "alpha", "version": "latest"}
	if resp, body := c.do("PUT", "/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/m", vm("", missing)); resp.StatusCode != 404 || errorCode(body) != "PlatformImageNotFound" {
		t.Errorf("unknown image: %s %v", resp.Status, body)
	}
	put("Microsoft.Compute/virtualMachines/m", vm(base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\n")), flatcar))
	if got, ok := s.VM("m"); !ok || string(got.CustomData) != "#!/bin/sh\n" || len(got.SSHKeys) != 1 {
		t.Errorf("VM as the simulator holds it: %+v", got)
	}
	resp, view := c.do("GET", "/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/m/instanceView", nil)
	if resp.StatusCode != 200 || view["osName"] != SimulatedOS || !strings.Contains(fmt.Sprint(view["statuses"]), "PowerState/running") {
		t.Errorf("instance view: %s %v", resp.Status, view)
	}
	s.SetConsole("m", "strata console line\n")
	resp, diag := c.do("POST", "/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/m/retrieveBootDiagnosticsData?sasUriExpirationTimeInMinutes=5", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("boot diagnostics: %s %v", resp.Status, diag)
	}
	logResp, err := c.http.Get(diag["serialConsoleLogBlobUri"].(string))
	if err != nil {
		t.Fatal(err)
	}
	log, _ := io.ReadAll(logResp.Body)
	logResp.Body.Close()
	if string(log) != "strata console line\n" {
		t.Errorf("serial log: %s %q", logResp.Status, log)
	}
	if resp, body := c.do("DELETE", "/resourceGroups/g/providers/Microsoft.Network/networkInterfaces/m-nic", nil); resp.StatusCode != 400 || errorCode(body) != "NicInUse" {
		t.Errorf("deleting the interface of a machine: %s %v", resp.Status, body)
	}
	for _, p := range []string{"Microsoft.Compute/virtualMachines/m", "Microsoft.Network/networkInterfaces/m-nic", "Microsoft.Network/publicIPAddresses/m-ip"} {
		resp, body := c.do("DELETE", "/resourceGroups/g/providers/"+p, nil)
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("delete %s: %s %v", p, resp.Status, body)
		}
		c.wait(resp)
		if resp, _ := c.do("GET", "/resourceGroups/g/providers/"+p, nil); resp.StatusCode != 404 {
			t.Errorf("%s after delete: %s", p, resp.Status)
		}
		if resp, _ := c.do("DELETE", "/resourceGroups/g/providers/"+p, nil); resp.StatusCode != http.StatusNoContent {
			t.Errorf("deleting %s again: %s, want 204", p, resp.Status)
		}
	}
	if got, ok := s.VM("m"); !ok || got.State != "Deleted" {
		t.Errorf("a deleted VM is remembered as deleted: %+v %v", got, ok)
	}
}

// A fault rule aimed at one resource hits calls about it only: ARM's
// paths name the resource (or the group) the rule matches.
func TestFaultByResource(t *testing.T) {
	s, c := startRaw(t, Options{})
	s.Faults().Set(fault.Rule{Call: "Microsoft.Resources/subscriptions/resourceGroups/write", Resource: "doomed", Effect: fault.Error})
	if resp, body := c.do("PUT", "/resourcegroups/doomed", map[string]any{"location": "westus2"}); resp.StatusCode != 403 || errorCode(body) != "AuthorizationFailed" {
		t.Errorf("the group the rule names: %s %v", resp.Status, body)
	}
	if resp, body := c.do("PUT", "/resourcegroups/spared", map[string]any{"location": "westus2"}); resp.StatusCode != http.StatusCreated {
		t.Errorf("another group: %s %v", resp.Status, body)
	}
	s.Faults().Set(fault.Rule{Call: "Microsoft.Network/networkSecurityGroups/write", Resource: "nsg-b", Effect: fault.Error})
	if resp, _ := c.do("PUT", "/resourceGroups/spared/providers/Microsoft.Network/networkSecurityGroups/nsg-b", map[string]any{"location": "westus2"}); resp.StatusCode != 403 {
		t.Errorf("the resource the rule names: %s", resp.Status)
	}
	if resp, _ := c.do("PUT", "/resourceGroups/spared/providers/Microsoft.Network/networkSecurityGroups/nsg-a", map[string]any{"location": "westus2"}); resp.StatusCode != http.StatusCreated {
		t.Errorf("another resource: %s", resp.Status)
	}
}

// A gallery version is PATCHed as ARM does (properties merged, the rest
// kept); its source never changes; and a VM naming the image definition
// boots the latest version not excluded from latest, reported as the
// imageReference's exactVersion.
func TestGalleryVersionPatchAndLatest(t *testing.T) {
	s, c := startRaw(t, Options{})
	c.do("PUT", "/resourcegroups/g", map[string]any{"location": "westus2"})
	def := "/resourceGroups/g/providers/Microsoft.Compute/galleries/gal/images/def"
	for _, v := range []string{"1.2.0", "1.10.0", "2.0.0"} {
		if s.AddGalleryImageVersion("g", "gal", "def", v, nil) == "" {
			t.Fatal("no version")
		}
	}
	version := func(v string) map[string]any {
		t.Helper()
		resp, body := c.do("GET", def+"/versions/"+v, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %s %v", v, resp.Status, body)
		}
		return body
	}
	patch := func(v string, body map[string]any) (*http.Response, map[string]any) {
		t.Helper()
		resp, out := c.do("PATCH", def+"/versions/"+v, body)
		if resp.StatusCode == 200 {
			c.wait(resp)
		}
		return resp, out
	}
	// 2.0.0 excluded; tags replaced, other properties kept.
	resp, body := patch("2.0.0", map[string]any{"tags": map[string]string{"k": "v"},
		"properties": map[string]any{"publishingProfile": map[string]any{"excludeFromLatest": true}}})
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH: %s %v", resp.Status, body)
	}
	got := version("2.0.0")
	pp := got["properties"].(map[string]any)["publishingProfile"].(map[string]any)
	if pp["excludeFromLatest"] != true || len(pp["targetRegions"].([]any)) != 1 || got["tags"].(map[string]any)["k"] != "v" ||
		got["properties"].(map[string]any)["provisioningState"] != "Succeeded" ||
		got["properties"].(map[string]any)["replicationStatus"].(map[string]any)["aggregatedState"] != "Completed" {
		t.Errorf("after PATCH: %v", got)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"new source", map[string]any{"properties": map[string]any{"storageProfile": map[string]any{"source": map[string]any{"id": "/x"}}}}, "PropertyChangeNotAllowed"},
		{"not a boolean", map[string]any{"properties": map[string]any{"publishingProfile": map[string]any{"excludeFromLatest": "yes"}}}, "InvalidParameter"},
	} {
		if resp, body := patch("1.10.0", tc.body); resp.StatusCode < 400 || errorCode(body) != tc.code {
			t.Errorf("PATCH %s: %s %v, want %s", tc.name, resp.Status, body, tc.code)
		}
	}
	if resp, body := patch("9.9.9", map[string]any{"tags": map[string]string{}}); resp.StatusCode != 404 {
		t.Errorf("PATCH of a version that is not there: %s %v", resp.Status, body)
	}

	// The VM's network, then VMs naming the definition.
	put := func(path string, body map[string]any) map[string]any {
		t.Helper()
		resp, out := c.do("PUT", "/resourceGroups/g/providers/"+path, body)
		if resp.StatusCode != 201 && resp.StatusCode != 200 {
			t.Fatalf("PUT %s: %s %v", path, resp.Status, out)
		}
		c.wait(resp)
		return out
	}
	vnet := put("Microsoft.Network/virtualNetworks/net", map[string]any{"location": "westus2", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "machines", "properties": map[string]any{"addressPrefix": "10.0.0.0/20"}}},
	}})
	subnet := vnet["properties"].(map[string]any)["subnets"].([]any)[0].(map[string]any)["id"].(string)
	vm := func(name string) (*http.Response, map[string]any) {
		nic := put("Microsoft.Network/networkInterfaces/"+name+"-nic", map[string]any{"location": "westus2", "properties": map[string]any{
			"ipConfigurations": []any{map[string]any{"name": "primary", "properties": map[string]any{"subnet": map[string]any{"id": subnet}}}},
		}})
		return c.do("PUT", "/resourceGroups/g/providers/Microsoft.Compute/virtualMachines/"+name, map[string]any{"location": "westus2", "properties": map[string]any{
			"hardwareProfile": map[string]any{"vmSize": "Standard_D2s_v3"},
			"storageProfile":  map[string]any{"imageReference": map[string]any{"id": "/subscriptions/" + c.sub + def}},
			"osProfile": map[string]any{"computerName": name, "adminUsername": "core",
				"linuxConfiguration": map[string]any{"disablePasswordAuthentication": true, "ssh": map[string]any{"publicKeys": []any{map[string]any{"keyData": "ssh-ed25519 AAAA k"}}}}},
			"networkProfile": map[string]any{"networkInterfaces": []any{map[string]any{"id": nic["id"]}}},
		}})
	}
	resp, body = vm("m1")
	ref, _ := get(body, "properties", "storageProfile", "imageReference").(map[string]any)
	if resp.StatusCode != 201 || ref["exactVersion"] != "1.10.0" {
		t.Errorf("a VM of the definition: %s, imageReference %v (want exactVersion 1.10.0: 2.0.0 is excluded, and 1.10.0 > 1.2.0)", resp.Status, ref)
	}
	for _, v := range []string{"1.2.0", "1.10.0"} {
		if resp, body := patch(v, map[string]any{"properties": map[string]any{"publishingProfile": map[string]any{"excludeFromLatest": true}}}); resp.StatusCode != 200 {
			t.Fatalf("exclude %s: %s %v", v, resp.Status, body)
		}
	}
	if resp, body := vm("m2"); resp.StatusCode != 404 || errorCode(body) != "GalleryImageVersionNotFound" {
		t.Errorf("a VM of a definition whose versions are all excluded: %s %v", resp.Status, body)
	}
}
