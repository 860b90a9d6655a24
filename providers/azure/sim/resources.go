package sim

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// kind is what the simulator knows of a resource type beyond storing it.
type kind struct {
	// prepare checks a PUT of res (Properties as sent, with the stored
	// resource's ID, name and group) and fills what the cloud adds (IDs
	// of children, addresses); old is the stored resource on an update.
	prepare func(s *Server, res, old *Resource) *armError
	// inUse says why res cannot be deleted now ("" if it can).
	inUse func(s *Server, res *Resource) string
	// created runs when a create finishes, updated when an update does;
	// removed when res is gone.
	created, updated, removed func(s *Server, res *Resource)
	// ready, if set, holds a create's operation until it says so (see
	// operation.ready).
	ready func(s *Server, res *Resource) func() (bool, *armError)
	// children are the child resources a PUT of res declares inline
	// (a virtual network's subnets), stored as resources of their own.
	children func(s *Server, res *Resource) []*Resource
	// maxName bounds the name's length.
	maxName int
	// name, when set, is the kind's own rule for names (said in
	// nameRule) instead of ARM's common one.
	name     *regexp.Regexp
	nameRule string
}

// kinds are the resource types served, by lower-case type.
var kinds = map[string]*kind{
	"microsoft.network/virtualnetworks":       {prepare: prepareVNet, inUse: vnetInUse, children: vnetSubnets, maxName: 64},
	"microsoft.network/networksecuritygroups": {prepare: prepareNSG, inUse: nsgInUse, maxName: 80},
	"microsoft.network/publicipaddresses":     {prepare: preparePublicIP, inUse: publicIPInUse, maxName: 80},
	"microsoft.network/networkinterfaces":     {prepare: prepareNIC, inUse: nicInUse, maxName: 80},
	"microsoft.compute/virtualmachines":       {prepare: prepareVM, removed: vmRemoved, ready: (*Server).vmReadyOf, maxName: 64},
	"microsoft.compute/images":                {prepare: prepareImage, removed: imageRemoved, maxName: 80},
	"microsoft.storage/storageaccounts":       {prepare: prepareStorageAccount, created: storageAccountCreated, removed: storageAccountRemoved, maxName: 24},
	"microsoft.compute/galleries":             {prepare: prepareGallery, inUse: nestedInUse, name: galleryName, nameRule: "1-80 letters, digits, '_' and '.', not starting or ending in '.'"},
	"microsoft.compute/galleries/images":      {prepare: prepareGalleryImage, inUse: nestedInUse, maxName: 80},
	"microsoft.compute/galleries/images/versions": {prepare: prepareGalleryImageVersion, created: galleryImageVersionReplicated, updated: galleryImageVersionReplicated,
		removed: imageRemoved, name: galleryVersionName,
		nameRule: "MAJOR.MINOR.PATCH, each a 32-bit integer"},
}

func kindOf(typ string) *kind { return kinds[strings.ToLower(typ)] }

// canonicalType is the type as ARM spells it, whatever the path's case.
var canonicalType = map[string]string{
	"microsoft.network/virtualnetworks":           "Microsoft.Network/virtualNetworks",
	"microsoft.network/virtualnetworks/subnets":   "Microsoft.Network/virtualNetworks/subnets",
	"microsoft.network/networksecuritygroups":     "Microsoft.Network/networkSecurityGroups",
	"microsoft.network/publicipaddresses":         "Microsoft.Network/publicIPAddresses",
	"microsoft.network/networkinterfaces":         "Microsoft.Network/networkInterfaces",
	"microsoft.compute/virtualmachines":           "Microsoft.Compute/virtualMachines",
	"microsoft.compute/images":                    "Microsoft.Compute/images",
	"microsoft.storage/storageaccounts":           "Microsoft.Storage/storageAccounts",
	"microsoft.compute/galleries":                 "Microsoft.Compute/galleries",
	"microsoft.compute/galleries/images":          "Microsoft.Compute/galleries/images",
	"microsoft.compute/galleries/images/versions": "Microsoft.Compute/galleries/images/versions",
}

func (s *Server) getResource(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		res := s.lookup(a)
		if res == nil {
			return nil, s.notFoundResource(a)
		}
		out := s.present(res)
		if strings.EqualFold(res.Type, "Microsoft.Compute/virtualMachines") && strings.EqualFold(r.URL.Query().Get("$expand"), "instanceView") {
			out["properties"].(map[string]any)["instanceView"] = s.instanceView(res)
		}
		return out, nil
	}
}

func (s *Server) notFoundResource(a armPath) *armError {
	return notFound("ResourceNotFound", "The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix", resourceType(a), strings.Join(a.segs[1:], "/"), a.group)
}

// putResource creates or updates a resource as a long-running operation.
func (s *Server) putResource(a armPath) handler {
	return func(r *http.Request, body []byte) (any, *armError) {
		typ := resourceType(a)
		k := kindOf(typ)
		if k == nil || len(a.segs)%2 != 0 {
			return nil, badRequest("InvalidResourceType", "The resource type '%s' could not be found in the namespace '%s' (the simulator does not serve it).", typ, a.namespace)
		}
		name := a.segs[len(a.segs)-1]
		if k.name != nil {
			if !k.name.MatchString(name) {
				return nil, badRequest("InvalidParameter", "The %s name '%s' is invalid: %s.", typ, name, k.nameRule)
			}
		} else if err := checkName(name, k.maxName, typ); err != nil {
			return nil, err
		}
		if len(a.segs) > 2 { // a nested resource: its parent must be there
			parent := armPath{subscription: a.subscription, group: a.group, namespace: a.namespace, segs: a.segs[:len(a.segs)-2]}
			if p := s.lookup(parent); p == nil || p.State == "Deleting" {
				return nil, notFound("ParentResourceNotFound", "Can not perform requested operation on nested resource. Parent resource '%s' not found.", strings.Join(parent.segs[1:], "/"))
			}
		}
		b, extra, err := decodePut(body)
		if err != nil {
			return nil, err
		}
		if err := s.checkLocation(b.Location); err != nil {
			return nil, err
		}
		old := s.lookup(a)
		if old != nil && old.State == "Deleting" {
			return nil, &armError{http.StatusConflict, "Conflict", fmt.Sprintf("The resource '%s' is being deleted.", old.ID)}
		}
		res := &Resource{ID: s.resourceID(a), Name: name, Type: canonicalType[strings.ToLower(typ)], Location: b.Location, Group: s.groups[strings.ToLower(a.group)].Name,
			Tags: b.Tags, Properties: b.Properties, Extra: extra, Created: s.opts.Now()}
		if old != nil {
			res.ID, res.Name, res.Created = old.ID, old.Name, old.Created
		}
		if res.Properties == nil {
			res.Properties = map[string]any{}
		}
		if err := k.prepare(s, res, old); err != nil {
			return nil, err
		}
		status := http.StatusCreated
		res.State = "Creating"
		if strings.EqualFold(a.namespace, "Microsoft.Network") {
			res.State = "Updating"
		}
		if old != nil {
			status, res.State = http.StatusOK, "Updating"
		}
		key := strings.ToLower(res.ID)
		s.resources[key] = res
		var ready func() (bool, *armError)
		if old == nil && k.ready != nil {
			ready = k.ready(s, res)
		}
		var kids []*Resource
		if k.children != nil {
			kids = k.children(s, res)
			for _, c := range kids {
				s.resources[strings.ToLower(c.ID)] = c
			}
		}
		id := s.startOperation(func() {
			if s.resources[key] != res {
				return // deleted or replaced meanwhile
			}
			res.State = "Succeeded"
			for _, c := range kids {
				c.State = "Succeeded"
			}
			switch {
			case old == nil && k.created != nil:
				k.created(s, res)
			case old != nil && k.updated != nil:
				k.updated(s, res)
			}
		}, ready)
		return response{status: status, header: s.asyncHeaders(a.namespace, id, r), body: s.present(res)}, nil
	}
}

// patchResource updates a resource as ARM's PATCH does: the tags sent
// replace the resource's, the properties sent are merged into its own (a
// null removes one), and the result is checked as a PUT of it would be,
// as a long-running operation.
func (s *Server) patchResource(a armPath) handler {
	return func(r *http.Request, body []byte) (any, *armError) {
		old := s.lookup(a)
		if old == nil {
			return nil, s.notFoundResource(a)
		}
		k := kindOf(old.Type)
		if k == nil {
			return nil, badRequest("InvalidResourceType", "The simulator cannot update a %s on its own.", old.Type)
		}
		if old.State == "Deleting" {
			return nil, &armError{http.StatusConflict, "Conflict", fmt.Sprintf("The resource '%s' is being deleted.", old.ID)}
		}
		var patch struct {
			Tags       map[string]string `json:"tags"`
			Properties map[string]any    `json:"properties"`
		}
		if err := json.Unmarshal(body, &patch); err != nil {
			return nil, badRequest("InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
		}
		res := *old
		res.Properties = mergePatch(deepCopy(old.Properties), patch.Properties)
		if patch.Tags != nil {
			res.Tags = patch.Tags
		}
		if err := k.prepare(s, &res, old); err != nil {
			return nil, err
		}
		res.State = "Updating"
		key := strings.ToLower(res.ID)
		s.resources[key] = &res
		id := s.startOperation(func() {
			if s.resources[key] == &res {
				res.State = "Succeeded"
				if k.updated != nil {
					k.updated(s, &res)
				}
			}
		}, nil)
		return response{status: http.StatusOK, header: s.asyncHeaders(a.namespace, id, r), body: s.present(&res)}, nil
	}
}

// mergePatch merges patch into m (RFC 7396: objects merge, null removes,
// anything else replaces).
func mergePatch(m, patch map[string]any) map[string]any {
	if m == nil {
		m = map[string]any{}
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(m, k)
		case map[string]any:
			sub, _ := m[k].(map[string]any)
			m[k] = mergePatch(sub, pv)
		default:
			m[k] = v
		}
	}
	return m
}

// deepCopy copies a JSON value's maps and lists, so that a PATCH that
// fails its checks leaves the stored resource as it was.
func deepCopy(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	_ = json.Unmarshal(b, &out)
	return out
}

// deleteResource deletes a resource as a long-running operation; a
// resource that is not there answers 204, as ARM does.
func (s *Server) deleteResource(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		res := s.lookup(a)
		if res == nil {
			return response{status: http.StatusNoContent}, nil
		}
		k := kindOf(res.Type)
		if k == nil {
			return nil, badRequest("InvalidResourceType", "The simulator cannot delete a %s on its own.", res.Type)
		}
		if k.inUse != nil {
			if why := k.inUse(s, res); why != "" {
				return nil, badRequest(inUseCode(res.Type), "%s", why)
			}
		}
		res.State = "Deleting"
		id := s.startOperation(func() { s.removeResource(res) }, nil)
		return response{status: http.StatusAccepted, header: s.asyncHeaders(a.namespace, id, r)}, nil
	}
}

func inUseCode(typ string) string {
	switch strings.ToLower(typ) {
	case "microsoft.compute/galleries", "microsoft.compute/galleries/images":
		return "CannotDeleteResource"
	case "microsoft.network/networkinterfaces":
		return "NicInUse"
	case "microsoft.network/publicipaddresses":
		return "PublicIPAddressCannotBeDeleted"
	case "microsoft.network/networksecuritygroups":
		return "InUseNetworkSecurityGroupCannotBeDeleted"
	}
	return "InUseSubnetCannotBeDeleted"
}

// removeResource forgets a resource and its children, and what pointed
// back at it.
func (s *Server) removeResource(res *Resource) {
	key := strings.ToLower(res.ID)
	if s.resources[key] != res {
		return
	}
	delete(s.resources, key)
	for k := range s.resources {
		if strings.HasPrefix(k, key+"/") {
			delete(s.resources, k)
		}
	}
	if kd := kindOf(res.Type); kd != nil && kd.removed != nil {
		kd.removed(s, res)
	}
}

// get walks a resource's properties: get(m, "a", "b") is m["a"]["b"].
func get(m map[string]any, path ...string) any {
	var v any = m
	for _, p := range path {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[p]
	}
	return v
}

func getString(m map[string]any, path ...string) string {
	s, _ := get(m, path...).(string)
	return s
}

func getList(m map[string]any, path ...string) []map[string]any {
	l, _ := get(m, path...).([]any)
	var out []map[string]any
	for _, x := range l {
		if mm, ok := x.(map[string]any); ok {
			out = append(out, mm)
		}
	}
	return out
}

// refersTo reports whether a reference (an ID) names res.
func refersTo(ref string, res *Resource) bool { return ref != "" && strings.EqualFold(ref, res.ID) }

// byID finds a resource by ID.
func (s *Server) byID(id string) *Resource { return s.resources[strings.ToLower(id)] }

func invalidParam(target, format string, args ...any) *armError {
	return badRequest("InvalidParameter", format+" (target: "+target+")", args...)
}

func prepareVNet(s *Server, res, _ *Resource) *armError {
	prefixes, _ := get(res.Properties, "addressSpace", "addressPrefixes").([]any)
	if len(prefixes) == 0 {
		return invalidParam("addressSpace", "Virtual network %s has no address prefixes", res.Name)
	}
	for i, sub := range getList(res.Properties, "subnets") {
		name, _ := sub["name"].(string)
		if err := checkName(name, 80, "subnet"); err != nil {
			return err
		}
		if getString(sub, "properties", "addressPrefix") == "" {
			return invalidParam(fmt.Sprintf("subnets[%d].properties.addressPrefix", i), "Subnet %s has no address prefix", name)
		}
		if nsg := getString(sub, "properties", "networkSecurityGroup", "id"); nsg != "" && s.byID(nsg) == nil {
			return notFound("InvalidResourceReference", "Resource %s referenced by resource %s/subnets/%s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", nsg, res.ID, name)
		}
		sub["id"] = res.ID + "/subnets/" + name
		sub["type"] = "Microsoft.Network/virtualNetworks/subnets"
	}
	return nil
}

func vnetSubnets(s *Server, res *Resource) []*Resource {
	var out []*Resource
	for _, sub := range getList(res.Properties, "subnets") {
		props, _ := sub["properties"].(map[string]any)
		out = append(out, &Resource{ID: sub["id"].(string), Name: sub["name"].(string), Type: "Microsoft.Network/virtualNetworks/subnets",
			Group: res.Group, Properties: props, Created: res.Created, State: res.State})
	}
	return out
}

func vnetInUse(s *Server, res *Resource) string {
	for _, r := range s.resources {
		if !strings.EqualFold(r.Type, "Microsoft.Network/networkInterfaces") {
			continue
		}
		for _, ipc := range getList(r.Properties, "ipConfigurations") {
			if strings.HasPrefix(strings.ToLower(getString(ipc, "properties", "subnet", "id")), strings.ToLower(res.ID)+"/subnets/") {
				return fmt.Sprintf("Subnet of virtual network %s is in use by %s and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.", res.Name, r.ID)
			}
		}
	}
	return ""
}

func prepareNSG(s *Server, res, _ *Resource) *armError {
	for _, rule := range getList(res.Properties, "securityRules") {
		name, _ := rule["name"].(string)
		rule["id"] = res.ID + "/securityRules/" + name
	}
	return nil
}

func nsgInUse(s *Server, res *Resource) string {
	for _, r := range s.resources {
		if strings.EqualFold(r.Type, "Microsoft.Network/virtualNetworks/subnets") && refersTo(getString(r.Properties, "networkSecurityGroup", "id"), res) ||
			strings.EqualFold(r.Type, "Microsoft.Network/networkInterfaces") && refersTo(getString(r.Properties, "networkSecurityGroup", "id"), res) {
			return fmt.Sprintf("Network security group %s cannot be deleted because it is in use by %s.", res.ID, r.ID)
		}
	}
	return ""
}

func preparePublicIP(s *Server, res, old *Resource) *armError {
	if old != nil {
		res.Properties["ipAddress"] = old.Properties["ipAddress"]
		return nil
	}
	s.ips++
	res.Properties["ipAddress"] = fmt.Sprintf("20.%d.%d.%d", 64+s.ips>>16&63, s.ips>>8&255, s.ips&255)
	return nil
}

func publicIPInUse(s *Server, res *Resource) string {
	for _, r := range s.resources {
		if !strings.EqualFold(r.Type, "Microsoft.Network/networkInterfaces") {
			continue
		}
		for _, ipc := range getList(r.Properties, "ipConfigurations") {
			if refersTo(getString(ipc, "properties", "publicIPAddress", "id"), res) {
				return fmt.Sprintf("Public IP address %s can not be deleted since it is still allocated to resource %s.", res.ID, r.ID)
			}
		}
	}
	return ""
}

func prepareNIC(s *Server, res, old *Resource) *armError {
	ipcs := getList(res.Properties, "ipConfigurations")
	if len(ipcs) == 0 {
		return invalidParam("ipConfigurations", "Network interface %s must have one or more IP configurations", res.Name)
	}
	for i, ipc := range ipcs {
		subnet := getString(ipc, "properties", "subnet", "id")
		sub := s.byID(subnet)
		if sub == nil || !strings.EqualFold(sub.Type, "Microsoft.Network/virtualNetworks/subnets") {
			return notFound("InvalidResourceReference", "Resource %s referenced by resource %s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", subnet, res.ID)
		}
		if pip := getString(ipc, "properties", "publicIPAddress", "id"); pip != "" {
			p := s.byID(pip)
			if p == nil {
				return notFound("InvalidResourceReference", "Resource %s referenced by resource %s was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.", pip, res.ID)
			}
			if other := publicIPInUse(s, p); other != "" && !strings.Contains(other, res.ID) {
				return badRequest("PublicIPAddressInUse", "Resource %s is referenced by another resource and cannot be used by %s.", pip, res.ID)
			}
		}
		name, _ := ipc["name"].(string)
		ipc["id"] = res.ID + "/ipConfigurations/" + name
		props, _ := ipc["properties"].(map[string]any)
		if old != nil {
			if prev := getList(old.Properties, "ipConfigurations"); i < len(prev) {
				props["privateIPAddress"] = getString(prev[i], "properties", "privateIPAddress")
			}
		}
		if props["privateIPAddress"] == nil || props["privateIPAddress"] == "" {
			props["privateIPAddress"] = s.privateIP(sub)
		}
		props["primary"] = i == 0
	}
	if old != nil {
		if vm := get(old.Properties, "virtualMachine"); vm != nil {
			res.Properties["virtualMachine"] = vm
		}
	}
	return nil
}

// privateIP gives the next address of a subnet's prefix (Azure keeps the
// first four of each 256; the prefix is taken as a /16 or wider).
func (s *Server) privateIP(subnet *Resource) string {
	prefix := getString(subnet.Properties, "addressPrefix")
	base, _, _ := strings.Cut(prefix, "/")
	parts := strings.Split(base, ".")
	if len(parts) != 4 {
		parts = []string{"10", "0", "0", "0"}
	}
	s.ips++
	return fmt.Sprintf("%s.%s.%d.%d", parts[0], parts[1], s.ips/250%250, 4+s.ips%250)
}

func nicInUse(s *Server, res *Resource) string {
	if vm := getString(res.Properties, "virtualMachine", "id"); vm != "" {
		return fmt.Sprintf("Network Interface %s is used by existing resource %s. In order to delete the network interface, it must be dissociated from the resource.", res.ID, vm)
	}
	return ""
}

// customDataMax is ARM's bound on osProfile.customData: the base64 of at
// most 64 KiB.
const customDataMax = 87380

func prepareVM(s *Server, res, old *Resource) *armError {
	if getString(res.Properties, "hardwareProfile", "vmSize") == "" {
		return invalidParam("hardwareProfile.vmSize", "The value of parameter vmSize is invalid")
	}
	if err := s.checkImageReference(get(res.Properties, "storageProfile", "imageReference")); err != nil {
		return err
	}
	os, _ := get(res.Properties, "osProfile").(map[string]any)
	if os == nil || getString(os, "adminUsername") == "" {
		return invalidParam("adminUsername", "Required parameter 'adminUsername' is missing (null).")
	}
	if ud := getString(res.Properties, "userData"); ud != "" {
		if _, err := base64.StdEncoding.DecodeString(ud); err != nil || len(ud) > customDataMax {
			return invalidParam("userData", "User data must be in Base64 encoding and with a maximum length of %d characters.", customDataMax)
		}
	}
	cd := getString(os, "customData")
	if cd != "" {
		if _, err := base64.StdEncoding.DecodeString(cd); err != nil || len(cd) > customDataMax {
			return invalidParam("customData", "Custom data in OSProfile must be in Base64 encoding and with a maximum length of %d characters.", customDataMax)
		}
	}
	if noPass, _ := get(os, "linuxConfiguration", "disablePasswordAuthentication").(bool); noPass && len(getList(os, "linuxConfiguration", "ssh", "publicKeys")) == 0 && getString(os, "adminPassword") == "" {
		return invalidParam("linuxConfiguration", "Authentication using either SSH or by user name and password must be enabled in Linux profile.")
	}
	nics := getList(res.Properties, "networkProfile", "networkInterfaces")
	if len(nics) == 0 {
		return invalidParam("networkProfile", "Virtual machine %s must have at least one network interface.", res.Name)
	}
	for _, n := range nics {
		id := getString(n, "id")
		nic := s.byID(id)
		if nic == nil || nic.State == "Deleting" {
			return notFound("NotFound", "Resource %s not found.", id)
		}
		if vm := getString(nic.Properties, "virtualMachine", "id"); vm != "" && !strings.EqualFold(vm, res.ID) {
			return badRequest("NicInUse", "Network Interface %s is used by existing resource %s.", id, vm)
		}
	}
	if old != nil {
		// A PUT again (a retry after a lost answer) may repeat the
		// machine; ARM refuses changing what a machine was made with.
		if getString(old.Properties, "osProfile", "customData") != cd {
			return badRequest("PropertyChangeNotAllowed", "Changing property 'customData' is not allowed.")
		}
		res.Properties["vmId"] = old.Properties["vmId"]
		s.vms[strings.ToLower(res.ID)] = res
		return nil
	}
	res.Properties["vmId"] = fmt.Sprintf("%08x-5157-4000-8000-%012x", s.nextID(), s.opts.Now().UnixNano()&0xffffffffffff)
	// The machine holds its NICs from the start, as Azure's does.
	for _, n := range nics {
		s.byID(getString(n, "id")).Properties["virtualMachine"] = map[string]any{"id": res.ID}
	}
	s.launched = append(s.launched, res.ID)
	s.vms[strings.ToLower(res.ID)] = res
	return s.bootVM(res)
}

// checkImageReference checks that an image a VM names exists: a managed
// image or gallery image version by ID, or a marketplace image.
func (s *Server) checkImageReference(v any) *armError {
	ref, _ := v.(map[string]any)
	if ref == nil {
		return invalidParam("imageReference", "Required parameter 'imageReference' is missing (null).")
	}
	if id := getString(ref, "id"); id != "" {
		img := s.byID(id)
		if img == nil {
			return notFound("NotFound", "The Image '%s' cannot be found in '%s' region.", id, s.opts.Location)
		}
		switch {
		case strings.EqualFold(img.Type, "Microsoft.Compute/galleries/images/versions"):
			return s.checkGalleryVersion(img)
		case strings.EqualFold(img.Type, "Microsoft.Compute/galleries/images"):
			// An image definition boots its latest version, which the
			// VM's imageReference reports as exactVersion, as on Azure.
			v, err := s.latestVersion(img)
			if err != nil {
				return err
			}
			ref["exactVersion"] = v.Name
		}
		return nil
	}
	pub, offer, sku, ver := getString(ref, "publisher"), getString(ref, "offer"), getString(ref, "sku"), getString(ref, "version")
	if pub == "" || offer == "" || sku == "" {
		return invalidParam("imageReference", "The value of parameter imageReference is invalid.")
	}
	if ver == "" || strings.EqualFold(ver, "latest") {
		prefix := strings.ToLower(strings.Join([]string{pub, offer, sku}, ":")) + ":"
		for k := range s.marketImgs {
			if strings.HasPrefix(k, prefix) {
				return nil
			}
		}
	} else if s.marketImgs[strings.ToLower(strings.Join([]string{pub, offer, sku, ver}, ":"))] {
		return nil
	}
	return notFound("PlatformImageNotFound", "The platform image '%s:%s:%s:%s' is not available. Verify that all fields in the storage profile are correct.", pub, offer, sku, ver)
}

func vmRemoved(s *Server, res *Resource) {
	res.State = "Deleted"
	if bv := s.booted[strings.ToLower(res.ID)]; bv != nil {
		bv.deleting = true
		s.stopBooted(bv)
	}
	for _, n := range getList(res.Properties, "networkProfile", "networkInterfaces") {
		if nic := s.byID(getString(n, "id")); nic != nil {
			delete(nic.Properties, "virtualMachine")
		}
	}
}

func prepareImage(s *Server, res, old *Resource) *armError {
	if get(res.Properties, "storageProfile", "osDisk") == nil {
		return invalidParam("storageProfile.osDisk", "Required parameter 'osDisk' is missing (null).")
	}
	if uri, _ := get(res.Properties, "storageProfile", "osDisk", "blobUri").(string); uri != "" {
		if err := s.checkImageBlob(uri); err != nil {
			return err
		}
		if old == nil {
			return s.importImageDisk(res)
		}
	}
	return nil
}
