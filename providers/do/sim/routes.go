package sim

import "net/http"

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	s.handle("GET /v2/account", "Account.Get", s.account)
	s.handle("POST /v2/droplets", "Droplets.Create", s.createDroplets)
	s.handle("GET /v2/droplets", "Droplets.List", s.listDroplets)
	s.handle("DELETE /v2/droplets", "Droplets.DeleteByTag", s.deleteDropletsByTag)
	s.handle("GET /v2/droplets/{id}", "Droplets.Get", s.getDroplet)
	s.handle("DELETE /v2/droplets/{id}", "Droplets.Delete", s.deleteDroplet)
	s.handle("POST /v2/account/keys", "Keys.Create", s.createKey)
	s.handle("GET /v2/account/keys", "Keys.List", s.listKeys)
	s.handle("GET /v2/account/keys/{id}", "Keys.Get", s.getKey)
	s.handle("DELETE /v2/account/keys/{id}", "Keys.Delete", s.deleteKey)
	s.handle("POST /v2/images", "Images.Create", s.createImage)
	s.handle("GET /v2/images", "Images.List", s.listImages)
	s.handle("GET /v2/images/{id}", "Images.Get", s.getImage)
	s.handle("DELETE /v2/images/{id}", "Images.Delete", s.deleteImage)
	s.handle("POST /v2/volumes", "Storage.CreateVolume", s.createVolume)
	s.handle("GET /v2/volumes", "Storage.ListVolumes", s.listVolumes)
	s.handle("GET /v2/volumes/{id}", "Storage.GetVolume", s.getVolume)
	s.handle("DELETE /v2/volumes/{id}", "Storage.DeleteVolume", s.deleteVolume)
	s.handle("POST /v2/volumes/{id}/snapshots", "Storage.CreateSnapshot", s.createVolumeSnapshot)
	s.handle("GET /v2/snapshots", "Snapshots.List", s.listSnapshots)
	s.handle("GET /v2/snapshots/{id}", "Snapshots.Get", s.getSnapshot)
	s.handle("DELETE /v2/snapshots/{id}", "Snapshots.Delete", s.deleteSnapshot)
	s.handle("POST /v2/droplets/{id}/actions", "DropletActions.Do", s.createDropletAction)
	s.handle("POST /v2/images/{id}/actions", "ImageActions.Transfer", s.createImageAction)
	s.handle("GET /v2/images/{id}/actions/{action}", "ImageActions.Get", s.getImageAction)
	s.handle("GET /v2/actions", "Actions.List", s.listActions)
	s.handle("GET /v2/actions/{id}", "Actions.Get", s.getAction)
	s.handle("POST /v2/tags", "Tags.Create", s.createTag)
	s.handle("GET /v2/tags", "Tags.List", s.listTags)
	s.handle("POST /v2/tags/{name}/resources", "Tags.TagResources", s.tagResources)
	s.handle("DELETE /v2/tags/{name}/resources", "Tags.UntagResources", s.tagResources)
	s.handle("GET /v2/vpcs", "VPCs.List", s.listVPCs)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, &apiError{http.StatusNotFound, "not_found", "The simulator does not serve " + r.Method + " " + r.URL.Path + "."})
	})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) account(*http.Request, []byte) (answer, *apiError) {
	return answer{http.StatusOK, map[string]any{"account": map[string]any{
		"droplet_limit": 25, "floating_ip_limit": 3, "volume_limit": 10, "email": "sim@strata.invalid", "uuid": "b6fr89dbf6d9156cace5f3c78dc9851d957381ef", "email_verified": true, "status": "active",
	}}}, nil
}
