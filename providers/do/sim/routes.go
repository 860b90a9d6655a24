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
