package sim

import (
	"encoding/base64"
	"encoding/xml"

	"github.com/strata-os/strata/providers/qemu/media"
)

// Azure hands a Linux guest its provisioning settings on a UDF disc in
// its DVD drive: ovf-env.xml (host name, user, SSH keys, custom data as
// base64) and, when the machine has custom data, CustomData.bin with it
// decoded. Ignition reads CustomData.bin when IMDS has no user data for
// it, and waits for the disc until it comes; Linux agents read
// ovf-env.xml.

// ovfEnvironment is ovf-env.xml, in the OVF environment's namespace with
// Azure's sections in Windows Azure's.
type ovfEnvironment struct {
	XMLName      xml.Name `xml:"http://schemas.dmtf.org/ovf/environment/1 Environment"`
	Provisioning struct {
		Version string               `xml:"http://schemas.microsoft.com/windowsazure Version"`
		Linux   linuxProvisioningSet `xml:"http://schemas.microsoft.com/windowsazure LinuxProvisioningConfigurationSet"`
	} `xml:"http://schemas.microsoft.com/windowsazure ProvisioningSection"`
	Platform struct {
		Version  string `xml:"http://schemas.microsoft.com/windowsazure Version"`
		Settings struct {
			KmsServerHostname   string `xml:"http://schemas.microsoft.com/windowsazure KmsServerHostname"`
			ProvisionGuestAgent bool   `xml:"http://schemas.microsoft.com/windowsazure ProvisionGuestAgent"`
		} `xml:"http://schemas.microsoft.com/windowsazure PlatformSettings"`
	} `xml:"http://schemas.microsoft.com/windowsazure PlatformSettingsSection"`
}

type linuxProvisioningSet struct {
	ConfigurationSetType             string         `xml:"http://schemas.microsoft.com/windowsazure ConfigurationSetType"`
	HostName                         string         `xml:"http://schemas.microsoft.com/windowsazure HostName"`
	UserName                         string         `xml:"http://schemas.microsoft.com/windowsazure UserName"`
	DisableSshPasswordAuthentication bool           `xml:"http://schemas.microsoft.com/windowsazure DisableSshPasswordAuthentication"`
	PublicKeys                       []ovfPublicKey `xml:"http://schemas.microsoft.com/windowsazure SSH>PublicKeys>PublicKey"`
	CustomData                       string         `xml:"http://schemas.microsoft.com/windowsazure CustomData,omitempty"`
}

type ovfPublicKey struct {
	Path  string `xml:"http://schemas.microsoft.com/windowsazure Path"`
	Value string `xml:"http://schemas.microsoft.com/windowsazure Value"`
}

// provisioningMedia is a machine's provisioning disc.
func provisioningMedia(vm *Resource) (*media.Spec, error) {
	var env ovfEnvironment
	env.Provisioning.Version = "1.0"
	set := &env.Provisioning.Linux
	set.ConfigurationSetType = "LinuxProvisioningConfiguration"
	set.HostName = getString(vm.Properties, "osProfile", "computerName")
	set.UserName = getString(vm.Properties, "osProfile", "adminUsername")
	set.DisableSshPasswordAuthentication, _ = get(vm.Properties, "osProfile", "linuxConfiguration", "disablePasswordAuthentication").(bool)
	for _, k := range getList(vm.Properties, "osProfile", "linuxConfiguration", "ssh", "publicKeys") {
		set.PublicKeys = append(set.PublicKeys, ovfPublicKey{Path: getString(k, "path"), Value: getString(k, "keyData")})
	}
	custom := getString(vm.Properties, "osProfile", "customData")
	set.CustomData = custom
	env.Platform.Version = "1.0"
	env.Platform.Settings.KmsServerHostname = "kms.core.windows.net"
	env.Platform.Settings.ProvisionGuestAgent = true
	doc, err := xml.MarshalIndent(env, "", "  ")
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{"ovf-env.xml": append([]byte(xml.Header), doc...)}
	if custom != "" {
		// prepareVM refused custom data that is not base64.
		files["CustomData.bin"], _ = base64.StdEncoding.DecodeString(custom)
	}
	return &media.Spec{Format: media.UDF, Files: files}, nil
}
