package sim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
)

// SimulatedOS is the osName of every simulated machine's instance view:
// the machines run but never boot, so a client knows not to try SSH.
const SimulatedOS = "strata simulator (does not boot)"

// VM is what a simulated virtual machine was given.
type VM struct {
	ID, Name, Group, State string
	// CustomData is osProfile.customData, decoded.
	CustomData []byte
	// SSHKeys are the keys of osProfile's linuxConfiguration.
	SSHKeys []string
	Tags    map[string]string
}

func vmOf(r *Resource) VM {
	v := VM{ID: r.ID, Name: r.Name, Group: r.Group, State: r.State, Tags: r.Tags}
	if cd := getString(r.Properties, "osProfile", "customData"); cd != "" {
		v.CustomData, _ = base64.StdEncoding.DecodeString(cd)
	}
	for _, k := range getList(r.Properties, "osProfile", "linuxConfiguration", "ssh", "publicKeys") {
		v.SSHKeys = append(v.SSHKeys, getString(k, "keyData"))
	}
	return v
}

// VM returns a virtual machine by ID or name, whether or not it still
// exists (State "Deleted" once it is gone).
func (s *Server) VM(idOrName string) (VM, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.advance()
	for _, r := range s.vms {
		if strings.EqualFold(r.ID, idOrName) || strings.EqualFold(r.Name, idOrName) {
			return vmOf(r), true
		}
	}
	return VM{}, false
}

// Launched lists the IDs of every virtual machine created, in order.
func (s *Server) Launched() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.launched...)
}

// SetConsole sets the serial log a machine's boot diagnostics serve.
func (s *Server) SetConsole(vmName, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.consoles[strings.ToLower(vmName)] = text
}

// instanceView is a VM's runtime state as ARM reports it.
func (s *Server) instanceView(vm *Resource) map[string]any {
	power := "PowerState/starting"
	prov := "ProvisioningState/creating"
	switch vm.State {
	case "Succeeded":
		power, prov = "PowerState/running", "ProvisioningState/succeeded"
	case "Deleting":
		power, prov = "PowerState/stopping", "ProvisioningState/deleting"
	case "Failed":
		prov = "ProvisioningState/failed"
	}
	view := map[string]any{
		"computerName": getString(vm.Properties, "osProfile", "computerName"),
		"osName":       SimulatedOS,
	}
	// A booted machine runs an operating system, which (without Azure's
	// guest agent) reports no name; one whose guest powered off is
	// stopped.
	if bv := s.booted[strings.ToLower(vm.ID)]; bv != nil {
		delete(view, "osName")
		if bv.off {
			power = "PowerState/stopped"
		} else if vm.State == "Creating" {
			power = "PowerState/running"
		}
	}
	view["statuses"] = []map[string]any{
		{"code": prov, "level": "Info", "displayStatus": strings.TrimPrefix(prov, "ProvisioningState/")},
		{"code": power, "level": "Info", "displayStatus": "VM " + strings.TrimPrefix(power, "PowerState/")},
	}
	return view
}

// action serves POST (and GET) actions on a resource:
// …/virtualMachines/{name}/instanceView, /retrieveBootDiagnosticsData.
func (s *Server) action(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		act := a.segs[len(a.segs)-1]
		res := s.resources[strings.ToLower(s.groupID(s.groups[strings.ToLower(a.group)].Name)+"/providers/"+a.namespace+"/"+strings.Join(a.segs[:len(a.segs)-1], "/"))]
		if res == nil {
			return nil, notFound("ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found.", resourceType(armPath{namespace: a.namespace, segs: a.segs[:len(a.segs)-1]}), a.segs[len(a.segs)-2], a.group)
		}
		if !strings.EqualFold(res.Type, "Microsoft.Compute/virtualMachines") {
			return nil, badRequest("InvalidAction", "The action '%s' is not simulated on %s.", act, res.Type)
		}
		switch {
		case strings.EqualFold(act, "instanceView") && r.Method == "GET":
			return s.instanceView(res), nil
		case strings.EqualFold(act, "retrieveBootDiagnosticsData") && r.Method == "POST":
			if enabled, _ := get(res.Properties, "diagnosticsProfile", "bootDiagnostics", "enabled").(bool); !enabled {
				return nil, &armError{http.StatusConflict, "BootDiagnosticsDisabled", fmt.Sprintf("Boot diagnostics are not enabled for virtual machine %s.", res.Name)}
			}
			sig := fmt.Sprintf("sim%d", s.nextID())
			s.sigs[sig] = strings.ToLower(res.Name)
			return map[string]any{
				"serialConsoleLogBlobUri":  fmt.Sprintf("%s/bootdiagnostics/%s/serialconsole.log?sv=2021-08-06&sr=b&sp=r&sig=%s", s.base, strings.ToLower(res.Name), sig),
				"consoleScreenshotBlobUri": fmt.Sprintf("%s/bootdiagnostics/%s/screenshot.bmp?sv=2021-08-06&sr=b&sp=r&sig=%s", s.base, strings.ToLower(res.Name), sig),
			}, nil
		}
		return nil, badRequest("InvalidAction", "The action '%s' (%s) is not simulated on virtual machines.", act, r.Method)
	}
}

// serialLog serves a machine's serial log as a storage blob, to a
// request that carries the signature retrieveBootDiagnosticsData gave.
func (s *Server) serialLog(r *http.Request, _ []byte) (any, *armError) {
	vm := r.PathValue("vm")
	if s.sigs[r.URL.Query().Get("sig")] != vm {
		return nil, &armError{http.StatusForbidden, "AuthenticationFailed", "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."}
	}
	text, ok := s.consoles[vm]
	for key, bv := range s.booted {
		if v := s.vms[key]; v != nil && strings.EqualFold(v.Name, vm) && !bv.deleting {
			text, ok = bv.console, true
			if !bv.stopped {
				text = bv.in.Console()
			}
		}
	}
	if !ok {
		return nil, notFound("BlobNotFound", "The specified blob does not exist.")
	}
	return response{status: http.StatusOK, header: http.Header{"Content-Type": {"text/plain"}, "X-Ms-Blob-Type": {"BlockBlob"}}, body: []byte(text)}, nil
}

// marketplaceImage serves the marketplace's image versions of a SKU
// (…/skus/{sku}/versions) and one version (…/versions/{version}).
func (s *Server) marketplaceImage(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		// locations/{loc}/publishers/{p}/artifacttypes/vmimage/offers/{o}/skus/{s}/versions[/{v}]
		seg := a.segs
		if len(seg) < 11 || !strings.EqualFold(seg[10], "versions") {
			return nil, notFound("NotFound", "The simulator serves only image versions of a SKU.")
		}
		pub, offer, sku := seg[3], seg[7], seg[9]
		prefix := strings.ToLower(strings.Join([]string{pub, offer, sku}, ":")) + ":"
		var versions []string
		for k := range s.marketImgs {
			if v, ok := strings.CutPrefix(k, prefix); ok {
				versions = append(versions, v)
			}
		}
		id := func(v string) string {
			return fmt.Sprintf("/Subscriptions/%s/Providers/Microsoft.Compute/Locations/%s/Publishers/%s/ArtifactTypes/VMImage/Offers/%s/Skus/%s/Versions/%s", s.opts.Subscription, s.opts.Location, pub, offer, sku, v)
		}
		if len(seg) == 12 {
			want := strings.ToLower(seg[11])
			for _, v := range versions {
				if v == want {
					return map[string]any{"id": id(v), "name": v, "location": s.opts.Location, "properties": map[string]any{"osImage": map[string]any{"operatingSystem": "Linux"}}}, nil
				}
			}
			return nil, notFound("NotFound", "Artifact: VMImage was not found.")
		}
		var out []map[string]any
		for _, v := range versions {
			out = append(out, map[string]any{"id": id(v), "name": v, "location": s.opts.Location})
		}
		if out == nil {
			out = []map[string]any{}
		}
		return out, nil
	}
}
