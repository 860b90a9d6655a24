package sim

import (
	"encoding/base64"
	"encoding/xml"
	"strings"
	"testing"
)

// The provisioning disc says what the machine was made with, in the
// OVF environment's format, and carries custom data decoded.
func TestProvisioningMedia(t *testing.T) {
	vm := &Resource{Properties: map[string]any{"osProfile": map[string]any{
		"computerName": "m1", "adminUsername": "core", "customData": base64.StdEncoding.EncodeToString([]byte(`{"ignition":{}}`)),
		"linuxConfiguration": map[string]any{"disablePasswordAuthentication": true, "ssh": map[string]any{"publicKeys": []any{
			map[string]any{"path": "/home/core/.ssh/authorized_keys", "keyData": "ssh-ed25519 AAAA k"},
		}}},
	}}}
	m, err := provisioningMedia(vm)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != "udf" {
		t.Errorf("format %q: Ignition looks for udf", m.Format)
	}
	if got := string(m.Files["CustomData.bin"]); got != `{"ignition":{}}` {
		t.Errorf("CustomData.bin %q", got)
	}
	// Read as a Linux agent reads it: by local names, namespaces aside.
	var env struct {
		Set struct {
			HostName, UserName, CustomData   string
			DisableSshPasswordAuthentication bool
			Keys                             []struct{ Path, Value string } `xml:"SSH>PublicKeys>PublicKey"`
		} `xml:"ProvisioningSection>LinuxProvisioningConfigurationSet"`
	}
	doc := m.Files["ovf-env.xml"]
	if err := xml.Unmarshal(doc, &env); err != nil {
		t.Fatalf("ovf-env.xml: %v\n%s", err, doc)
	}
	s := env.Set
	if s.HostName != "m1" || s.UserName != "core" || !s.DisableSshPasswordAuthentication || s.CustomData == "" ||
		len(s.Keys) != 1 || s.Keys[0].Value != "ssh-ed25519 AAAA k" || s.Keys[0].Path != "/home/core/.ssh/authorized_keys" {
		t.Errorf("ovf-env.xml reads %+v:\n%s", s, doc)
	}
	if !strings.Contains(string(doc), `xmlns="http://schemas.dmtf.org/ovf/environment/1"`) {
		t.Errorf("ovf-env.xml is not in the OVF environment's namespace:\n%s", doc)
	}

	delete(vm.Properties["osProfile"].(map[string]any), "customData")
	if m, _ := provisioningMedia(vm); m.Files["CustomData.bin"] != nil {
		t.Error("a machine without custom data has a CustomData.bin")
	}
}
