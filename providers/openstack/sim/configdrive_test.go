package sim

import (
	"encoding/json"
	"testing"

	"github.com/strata-os/strata/core/cloud/simmeta"
)

// A config drive carries the metadata service's documents under every
// version, and the EC2 tree as one document.
func TestConfigDrive(t *testing.T) {
	tree := simmeta.Tree{
		"openstack/latest/meta_data.json":            `{"uuid":"u1"}`,
		"openstack/latest/network_data.json":         `{"links":[]}`,
		"openstack/latest/user_data":                 `{"ignition":{}}`,
		"openstack/latest/password":                  "",
		"latest/meta-data/instance-id":               "u1",
		"latest/meta-data/public-keys/0/openssh-key": "ssh-ed25519 AAAA k",
		"latest/user-data":                           `{"ignition":{}}`,
	}
	d := configDrive(tree)
	if d.Format != "iso9660" || d.Label != "config-2" {
		t.Errorf("a %s disc labelled %q, want Nova's iso9660 labelled config-2", d.Format, d.Label)
	}
	for _, v := range []string{"2012-08-10", "latest"} {
		if got := string(d.Files["openstack/"+v+"/user_data"]); got != `{"ignition":{}}` {
			t.Errorf("openstack/%s/user_data: %q", v, got)
		}
		if got := string(d.Files["openstack/"+v+"/meta_data.json"]); got != `{"uuid":"u1"}` {
			t.Errorf("openstack/%s/meta_data.json: %q", v, got)
		}
	}
	if _, ok := d.Files["openstack/latest/password"]; ok {
		t.Error("the drive carries the password, which Nova serves only through the service")
	}
	var ec2 struct {
		InstanceID string `json:"instance-id"`
		PublicKeys map[string]struct {
			Key string `json:"openssh-key"`
		} `json:"public-keys"`
	}
	if err := json.Unmarshal(d.Files["ec2/latest/meta-data.json"], &ec2); err != nil || ec2.InstanceID != "u1" || ec2.PublicKeys["0"].Key != "ssh-ed25519 AAAA k" {
		t.Errorf("ec2/latest/meta-data.json %s: %+v %v", d.Files["ec2/latest/meta-data.json"], ec2, err)
	}

	delete(tree, "openstack/latest/user_data")
	if _, ok := configDrive(tree).Files["openstack/latest/user_data"]; ok {
		t.Error("a server without userdata has user_data on its drive")
	}
}
