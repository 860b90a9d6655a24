package sim

import (
	"encoding/json"
	"strings"

	"github.com/strata-os/strata/core/cloud/simmeta"
	"github.com/strata-os/strata/providers/qemu/media"
)

// A server made with config_drive boots with Nova's config drive in its
// CD-ROM drive: an ISO 9660 disc labelled config-2 (Nova's default
// config_drive_format) holding what the metadata service answers, as
// files: openstack/VERSION/{meta_data.json, network_data.json,
// vendor_data.json, vendor_data2.json, user_data} for every version the
// service lists, and ec2/VERSION/meta-data.json (the EC2 tree as one
// document) and user-data for the EC2 versions Nova writes.

// configDriveEC2Versions are the EC2 versions a config drive carries.
var configDriveEC2Versions = []string{"2009-04-04", "latest"}

// configDrive is a server's config drive, from its metadata tree.
func configDrive(tree simmeta.Tree) *media.Spec {
	files := map[string][]byte{}
	for _, v := range openstackVersions {
		for _, name := range []string{"meta_data.json", "network_data.json", "vendor_data.json", "vendor_data2.json", "user_data"} {
			if data, ok := tree["openstack/latest/"+name]; ok {
				files["openstack/"+v+"/"+name] = []byte(data)
			}
		}
	}
	ec2 := map[string]any{}
	for k, v := range tree {
		rest, ok := strings.CutPrefix(k, "latest/meta-data/")
		if !ok {
			continue
		}
		node := ec2
		parts := strings.Split(rest, "/")
		for _, p := range parts[:len(parts)-1] {
			child, _ := node[p].(map[string]any)
			if child == nil {
				child = map[string]any{}
				node[p] = child
			}
			node = child
		}
		if _, dir := node[parts[len(parts)-1]].(map[string]any); !dir {
			node[parts[len(parts)-1]] = v
		}
	}
	doc, _ := json.Marshal(ec2)
	for _, v := range configDriveEC2Versions {
		files["ec2/"+v+"/meta-data.json"] = doc
		if ud, ok := tree["latest/user-data"]; ok {
			files["ec2/"+v+"/user-data"] = []byte(ud)
		}
	}
	return &media.Spec{Format: media.ISO9660, Label: "config-2", Files: files}
}
