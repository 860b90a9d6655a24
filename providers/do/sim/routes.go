package sim

import "net/http"

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	rest := s.cloud()
	handle := rest.Handle
	handle("GET /v2/account", "Account.Get", s.account)
	handle("POST /v2/droplets", "Droplets.Create", s.createDroplets)
	handle("GET /v2/droplets", "Droplets.List", s.listDroplets)
	handle("DELETE /v2/droplets", "Droplets.DeleteByTag", s.deleteDropletsByTag)
	handle("GET /v2/droplets/{id}", "Droplets.Get", s.getDroplet)
	handle("DELETE /v2/droplets/{id}", "Droplets.Delete", s.deleteDroplet)
	handle("POST /v2/account/keys", "Keys.Create", s.createKey)
	handle("GET /v2/account/keys", "Keys.List", s.listKeys)
	handle("GET /v2/account/keys/{id}", "Keys.Get", s.getKey)
	handle("DELETE /v2/account/keys/{id}", "Keys.Delete", s.deleteKey)
	handle("POST /v2/images", "Images.Create", s.createImage)
	handle("GET /v2/images", "Images.List", s.listImages)
	handle("GET /v2/images/{id}", "Images.Get", s.getImage)
	handle("DELETE /v2/images/{id}", "Images.Delete", s.deleteImage)
	handle("POST /v2/volumes", "Storage.CreateVolume", s.createVolume)
	handle("GET /v2/volumes", "Storage.ListVolumes", s.listVolumes)
	handle("GET /v2/volumes/{id}", "Storage.GetVolume", s.getVolume)
	handle("DELETE /v2/volumes/{id}", "Storage.DeleteVolume", s.deleteVolume)
	handle("POST /v2/volumes/{id}/snapshots", "Storage.CreateSnapshot", s.createVolumeSnapshot)
	handle("GET /v2/snapshots", "Snapshots.List", s.listSnapshots)
	handle("GET /v2/snapshots/{id}", "Snapshots.Get", s.getSnapshot)
	handle("DELETE /v2/snapshots/{id}", "Snapshots.Delete", s.deleteSnapshot)
	handle("POST /v2/droplets/{id}/actions", "DropletActions.Do", s.createDropletAction)
	handle("POST /v2/images/{id}/actions", "ImageActions.Transfer", s.createImageAction)
	handle("GET /v2/images/{id}/actions/{action}", "ImageActions.Get", s.getImageAction)
	handle("GET /v2/actions", "Actions.List", s.listActions)
	handle("GET /v2/actions/{id}", "Actions.Get", s.getAction)
	handle("POST /v2/tags", "Tags.Create", s.createTag)
	handle("GET /v2/tags", "Tags.List", s.listTags)
	handle("POST /v2/tags/{name}/resources", "Tags.TagResources", s.tagResources)
	handle("DELETE /v2/tags/{name}/resources", "Tags.UntagResources", s.tagResources)
	handle("GET /v2/vpcs", "VPCs.List", s.listVPCs)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "The simulator does not serve " + r.Method + " " + r.URL.Path + "."})
	})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) account(*http.Request, []byte) (answer, *apiError) {
	return answer{Status: http.StatusOK, Body: map[string]any{"account": map[string]any{
		"droplet_limit": 25, "floating_ip_limit": 3, "volume_limit": 10, "email": "sim@strata.invalid", "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", "email_verified": true, "status": "active",
	}}}, nil
}
