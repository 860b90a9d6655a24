package sim

import (
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A machine made through ARM by hand, whose guest's IMDS and WireServer
// are served here as the box serves them: the creation waits for the
// guest's health report, IMDS answers by its rules.
func TestIMDSAndProvisioningHandshake(t *testing.T) {
	s, c := startRaw(t, Options{})
	ud := `{"ignition":{"version":"3.4.0"}}`
	key, status := heldVM(t, s, c, ud)
	for range 5 {
		if st := status(); st != "InProgress" {
			t.Fatalf("the creation is %s before the guest reported ready", st)
		}
	}

	imds := httptest.NewServer(s.imdsHandler(key))
	defer imds.Close()
	get := func(path string, header map[string]string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", imds.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := imds.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	md := map[string]string{"Metadata": "true"}
	// What Ignition reads, exactly as it asks.
	if code, body := get("/metadata/instance/compute/userData?api-version=2021-01-01&format=text", md); code != 200 || body != base64.StdEncoding.EncodeToString([]byte(ud)) {
		t.Errorf("userData: %d %q", code, body)
	}
	for _, tc := range []struct {
		path   string
		header map[string]string
		code   int
		want   string
	}{
		{"/metadata/instance/compute/publicKeys?api-version=2021-02-01", md, 200, `"keyData":"ssh-ed25519 AAAA k"`},
		{"/metadata/instance/compute/name?api-version=2021-02-01&format=text", md, 200, "m"},
		{"/metadata/instance/compute/customData?api-version=2021-02-01&format=text", md, 200, ""}, // never served
		{"/metadata/instance/network/interface/0/ipv4/ipAddress/0/publicIpAddress?api-version=2021-02-01&format=text", md, 200, "20."},
		{"/metadata/instance/compute/tags?api-version=2021-02-01&format=text", md, 200, "strata:yes"},
		{"/metadata/instance/compute?api-version=2021-02-01&format=text", md, 400, "leaf"},
		{"/metadata/instance/compute/userData?api-version=2021-01-01&format=text", nil, 400, "Required metadata header not specified"},
		{"/metadata/instance/compute/userData?api-version=2021-01-01&format=text", map[string]string{"Metadata": "true", "X-Forwarded-For": "10.0.0.1"}, 400, "X-Forwarded-For"},
		{"/metadata/instance/compute/userData", md, 400, "api-version was not specified"},
		{"/metadata/instance/compute/userData?api-version=1999-01-01", md, 400, "api-version is invalid"},
		{"/metadata/instance/compute/nothing?api-version=2021-02-01", md, 404, "Not found"},
	} {
		code, body := get(tc.path, tc.header)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("GET %s %v: %d %q, want %d with %q", tc.path, tc.header, code, body, tc.code, tc.want)
		}
	}
	_, doc := get("/metadata/instance?api-version=2021-02-01", md)
	var inst struct {
		Compute struct{ VMID, Name, ResourceGroupName string }
	}
	if err := json.Unmarshal([]byte(doc), &inst); err != nil || inst.Compute.Name != "m" || inst.Compute.ResourceGroupName != "g" || inst.Compute.VMID == "" {
		t.Errorf("instance document %v: %s", err, doc)
	}

	// The WireServer, as Afterburn speaks to it.
	ws := httptest.NewServer(s.wireServerHandler(key))
	defer ws.Close()
	wire := func(method, path, body string, version bool) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, ws.URL+path, strings.NewReader(body))
		if version {
			req.Header.Set("x-ms-version", "2012-11-30")
		}
		req.Header.Set("Content-Type", "text/xml; charset=utf-8")
		resp, err := ws.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := wire("GET", "/machine/?comp=goalstate", "", false); code != 400 {
		t.Errorf("goal state without x-ms-version: %d", code)
	}
	code, gs := wire("GET", "/machine/?comp=goalstate", "", true)
	var goal struct {
		Incarnation string `xml:"Incarnation"`
		Container   struct {
			ContainerID string `xml:"ContainerId"`
			InstanceID  string `xml:"RoleInstanceList>RoleInstance>InstanceId"`
		} `xml:"Container"`
	}
	if err := xml.Unmarshal([]byte(gs), &goal); code != 200 || err != nil || goal.Container.ContainerID == "" || goal.Container.InstanceID == "" {
		t.Fatalf("goal state: %d %v %s", code, err, gs)
	}
	report := func(container, instance, state string) string {
		return `<?xml version="1.0" encoding="utf-8"?><Health xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><GoalStateIncarnation>` +
			goal.Incarnation + `</GoalStateIncarnation><Container><ContainerId>` + container + `</ContainerId><RoleInstanceList><Role><InstanceId>` +
			instance + `</InstanceId><Health><State>` + state + `</State></Health></Role></RoleInstanceList></Container></Health>`
	}
	if code, _ := wire("POST", "/machine/?comp=health", report("another", goal.Container.InstanceID, "Ready"), true); code != 400 {
		t.Errorf("a report for another container: %d", code)
	}
	if code, _ := wire("POST", "/machine/?comp=health", report(goal.Container.ContainerID, goal.Container.InstanceID, "NotReady"), true); code != 200 {
		t.Errorf("NotReady: %d", code)
	}
	if st := status(); st != "InProgress" {
		t.Errorf("the creation is %s after NotReady", st)
	}
	if code, _ := wire("POST", "/machine/?comp=health", report(goal.Container.ContainerID, goal.Container.InstanceID, "Ready"), true); code != 200 {
		t.Errorf("Ready: %d", code)
	}
	if st := status(); st != "Succeeded" {
		t.Errorf("the creation is %s after Ready", st)
	}
	log := s.MetadataLog("m")
	if len(log) < 10 || log[0].Service != "imds" || !log[0].Header || log[len(log)-1].Service != "wireserver" {
		t.Errorf("log %+v", log)
	}
}

// heldVM creates a machine through ARM by hand, with userData ud, whose
// creation is held as if the box booted it; status polls the creation.
func heldVM(t *testing.T, s *Server, c *rawClient, ud string) (key string, status func() string) {
	t.Helper()
	s.AddMarketplaceImage("kinvolk", "flatcar-container-linux-free", "stable", "4230.2.3")
	c.do("PUT", "/resourcegroups/g", map[string]any{"location": "westus2"})
	put := func(path string, body map[string]any) (*http.Response, map[string]any) {
		t.Helper()
		resp, out := c.do("PUT", "/resourceGroups/g/providers/"+path, body)
		if resp.StatusCode != 201 {
			t.Fatalf("PUT %s: %s %v", path, resp.Status, out)
		}
		return resp, out
	}
	resp, vnet := put("Microsoft.Network/virtualNetworks/net", map[string]any{"location": "westus2", "properties": map[string]any{
		"addressSpace": map[string]any{"addressPrefixes": []string{"10.0.0.0/16"}},
		"subnets":      []any{map[string]any{"name": "machines", "properties": map[string]any{"addressPrefix": "10.0.0.0/20"}}},
	}})
	c.wait(resp)
	subnet := vnet["properties"].(map[string]any)["subnets"].([]any)[0].(map[string]any)["id"].(string)
	resp, ip := put("Microsoft.Network/publicIPAddresses/m-ip", map[string]any{"location": "westus2"})
	c.wait(resp)
	resp, nic := put("Microsoft.Network/networkInterfaces/m-nic", map[string]any{"location": "westus2", "properties": map[string]any{
		"ipConfigurations": []any{map[string]any{"name": "primary", "properties": map[string]any{"subnet": map[string]any{"id": subnet}, "publicIPAddress": map[string]any{"id": ip["id"]}}}},
	}})
	c.wait(resp)
	resp, vm := put("Microsoft.Compute/virtualMachines/m", map[string]any{"location": "westus2", "tags": map[string]string{"strata": "yes"}, "properties": map[string]any{
		"hardwareProfile": map[string]any{"vmSize": "Standard_D2s_v3"},
		"storageProfile":  map[string]any{"imageReference": map[string]any{"publisher": "kinvolk", "offer": "flatcar-container-linux-free", "sku": "stable", "version": "latest"}},
		"osProfile": map[string]any{"computerName": "m", "adminUsername": "core", "customData": base64.StdEncoding.EncodeToString([]byte("custom")),
			"linuxConfiguration": map[string]any{"disablePasswordAuthentication": true, "ssh": map[string]any{"publicKeys": []any{map[string]any{"keyData": "ssh-ed25519 AAAA k", "path": "/home/core/.ssh/authorized_keys"}}}}},
		"userData":       base64.StdEncoding.EncodeToString([]byte(ud)),
		"networkProfile": map[string]any{"networkInterfaces": []any{map[string]any{"id": nic["id"]}}},
	}})
	// As if the box booted it: the creation is held for the guest.
	key = strings.ToLower(vm["id"].(string))
	s.mu.Lock()
	s.booted[key] = &bootedVM{}
	s.mu.Unlock()
	op := resp.Header.Get("Azure-AsyncOperation")
	status = func() string {
		t.Helper()
		_, body := c.do("GET", op, nil)
		return fmt.Sprint(body["status"])
	}
	return key, status
}

// Deleting a machine whose creation is held cancels the creation, as a
// later operation preempts an earlier one in ARM.
func TestDeleteCancelsHeldCreation(t *testing.T) {
	s, c := startRaw(t, Options{})
	key, status := heldVM(t, s, c, "")
	if st := status(); st != "InProgress" {
		t.Fatalf("the creation is %s before the guest reported ready", st)
	}
	resp, _ := c.do("DELETE", key[strings.Index(key, "/resourcegroups/"):], nil)
	if resp.StatusCode != 202 && resp.StatusCode != 200 {
		t.Fatalf("DELETE: %s", resp.Status)
	}
	c.wait(resp)
	st := status()
	for i := 0; i < 5 && st == "InProgress"; i++ {
		st = status()
	}
	if st != "Canceled" {
		t.Errorf("the creation is %s after its machine was deleted, want Canceled", st)
	}
}
