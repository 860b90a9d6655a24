package sim

import "net/http"

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handle(identity, "GET /identity/{$}", "versions", s.versions)
	s.handle(identity, "POST /identity/v3/auth/tokens", "tokens.Create", s.createToken)

	s.handle(compute, "POST /compute/v2.1/servers", "servers.Create", s.createServer)
	s.handle(compute, "GET /compute/v2.1/servers/detail", "servers.List", s.listServers)
	s.handle(compute, "GET /compute/v2.1/servers/{id}", "servers.Get", s.getServer)
	s.handle(compute, "DELETE /compute/v2.1/servers/{id}", "servers.Delete", s.deleteServer)
	s.handle(compute, "POST /compute/v2.1/servers/{id}/action", "servers.ShowConsoleOutput", s.serverAction)
	s.handle(compute, "PUT /compute/v2.1/servers/{id}/metadata/{key}", "servers.CreateMetadatum", s.setServerMetadatum)
	s.handle(compute, "POST /compute/v2.1/os-keypairs", "keypairs.Create", s.createKeyPair)
	s.handle(compute, "GET /compute/v2.1/os-keypairs", "keypairs.List", s.listKeyPairs)
	s.handle(compute, "GET /compute/v2.1/os-keypairs/{name}", "keypairs.Get", s.getKeyPair)
	s.handle(compute, "DELETE /compute/v2.1/os-keypairs/{name}", "keypairs.Delete", s.deleteKeyPair)
	s.handle(compute, "GET /compute/v2.1/flavors/detail", "flavors.List", s.listFlavors)
	s.handle(compute, "GET /compute/v2.1/flavors/{id}", "flavors.Get", s.getFlavor)

	s.handle(image, "GET /image/{$}", "versions", s.serviceVersions("/image/v2/", "v2.16", "v2.0"))
	s.handle(image, "POST /image/v2/images", "images.Create", s.createImage)
	s.handle(image, "GET /image/v2/images", "images.List", s.listImages)
	s.handle(image, "GET /image/v2/images/{id}", "images.Get", s.getImage)
	s.handle(image, "DELETE /image/v2/images/{id}", "images.Delete", s.deleteImage)
	s.handle(image, "PATCH /image/v2/images/{id}", "images.Update", s.updateImage)
	s.handle(image, "PUT /image/v2/images/{id}/file", "imagedata.Upload", nil)

	s.handle(network, "GET /network/{$}", "versions", s.serviceVersions("/network/v2.0/", "v2.0"))
	s.handle(network, "GET /network/v2.0/networks", "networks.List", s.listNetworks)
	s.handle(network, "GET /network/v2.0/networks/{id}", "networks.Get", s.getNetwork)
	s.handle(network, "POST /network/v2.0/ports", "ports.Create", s.createPort)
	s.handle(network, "GET /network/v2.0/ports", "ports.List", s.listPorts)
	s.handle(network, "DELETE /network/v2.0/ports/{id}", "ports.Delete", s.deletePort)
	s.handle(network, "POST /network/v2.0/security-groups", "groups.Create", s.createGroup)
	s.handle(network, "GET /network/v2.0/security-groups", "groups.List", s.listGroups)
	s.handle(network, "DELETE /network/v2.0/security-groups/{id}", "groups.Delete", s.deleteGroup)
	s.handle(network, "POST /network/v2.0/security-group-rules", "rules.Create", s.createRule)
	s.handle(network, "POST /network/v2.0/floatingips", "floatingips.Create", s.createFloatingIP)
	s.handle(network, "GET /network/v2.0/floatingips", "floatingips.List", s.listFloatingIPs)
	s.handle(network, "DELETE /network/v2.0/floatingips/{id}", "floatingips.Delete", s.deleteFloatingIP)

	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, compute, notFound("strata's OpenStack simulator does not serve %s %s.", r.Method, r.URL.Path))
	})
}
