package sim

import "net/http"

func (s *Server) routes() {
	s.mux = http.NewServeMux()
	const zone = "/compute/v1/projects/{project}/zones/{zone}"
	const global = "/compute/v1/projects/{project}/global"
	s.handle("POST /token", "oauth2.token", s.token)

	s.handle("POST "+zone+"/instances", "compute.instances.insert", s.zonal(s.insertInstance))
	s.handle("GET "+zone+"/instances", "compute.instances.list", s.zonal(s.listInstances))
	s.handle("GET "+zone+"/instances/{name}", "compute.instances.get", s.zonal(s.getInstance))
	s.handle("DELETE "+zone+"/instances/{name}", "compute.instances.delete", s.zonal(s.deleteInstance))
	s.handle("GET "+zone+"/instances/{name}/serialPort", "compute.instances.getSerialPortOutput", s.zonal(s.serialPort))
	s.handle("POST "+zone+"/instances/{name}/setLabels", "compute.instances.setLabels", s.zonal(s.setLabels))
	s.handle("GET "+zone+"/disks", "compute.disks.list", s.zonal(s.listDisks))
	s.handle("DELETE "+zone+"/disks/{name}", "compute.disks.delete", s.zonal(s.deleteDisk))
	s.handle("GET "+zone+"/operations/{name}", "compute.zoneOperations.get", s.zonal(s.getOperation))
	s.handle("POST "+zone+"/operations/{name}/wait", "compute.zoneOperations.wait", s.zonal(s.waitOperation))

	s.handle("GET "+global+"/networks/{name}", "compute.networks.get", s.global(s.getNetwork))
	s.handle("POST "+global+"/images", "compute.images.insert", s.global(s.insertImage))
	s.handle("GET "+global+"/images", "compute.images.list", s.global(s.listImages))
	s.handle("GET "+global+"/images/{name}", "compute.images.get", s.getImage)
	s.handle("GET "+global+"/images/family/{family}", "compute.images.getFromFamily", s.getImageFromFamily)
	s.handle("DELETE "+global+"/images/{name}", "compute.images.delete", s.global(s.deleteImage))
	s.handle("POST "+global+"/images/{name}/deprecate", "compute.images.deprecate", s.global(s.deprecateImage))
	s.handle("POST "+global+"/images/{name}/setIamPolicy", "compute.images.setIamPolicy", s.global(s.setImagePolicy))
	// Not images/{name}/getIamPolicy: Go's mux would find it in conflict
	// with images/family/{family} (images/family/getIamPolicy matches both).
	s.handle("GET "+global+"/images/{name}/{verb}", "compute.images.getIamPolicy", s.global(s.getImagePolicy))
	s.handle("GET "+global+"/operations/{name}", "compute.globalOperations.get", s.global(s.getOperation))
	s.handle("POST "+global+"/operations/{name}/wait", "compute.globalOperations.wait", s.global(s.waitOperation))

	s.handle("GET /storage/v1/b/{bucket}", "storage.buckets.get", s.getBucket)
	s.handle("GET /storage/v1/b/{bucket}/o", "storage.objects.list", s.listObjects)
	s.handle("GET /storage/v1/b/{bucket}/o/{object...}", "storage.objects.get", s.getObject)
	s.handle("DELETE /storage/v1/b/{bucket}/o/{object...}", "storage.objects.delete", s.deleteObject)
	s.mux.HandleFunc("POST /upload/storage/v1/b/{bucket}/o", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("upload_id") != "" {
			// A resumable upload's chunk: Google's Go client sends them
			// with POST, others with PUT.
			s.serve(w, r, "storage.objects.insert", resourceOf(r, nil), func() (any, *apiError) { return s.uploadChunk(r) })
			return
		}
		s.serveBuffered(w, r, "storage.objects.insert", s.insertObject)
	})
	s.handleStream("PUT /upload/storage/v1/b/{bucket}/o", "storage.objects.insert.chunk", s.uploadChunk)
	// Cloud Storage's XML API, for reads as Google's Go client makes them.
	s.handle("GET /{bucket}/{object...}", "storage.objects.get.xml", s.getObjectXML)
}

// zonal serves only the simulator's project and zone.
func (s *Server) zonal(h handler) handler {
	return func(r *http.Request, body []byte) (any, *apiError) {
		if p := r.PathValue("project"); p != s.opts.Project {
			return nil, notFound("The resource 'projects/%s' was not found", p)
		}
		if z := r.PathValue("zone"); z != s.opts.Zone {
			return nil, notFound("The resource 'projects/%s/zones/%s' was not found", s.opts.Project, z)
		}
		return h(r, body)
	}
}

// global serves only the simulator's project.
func (s *Server) global(h handler) handler {
	return func(r *http.Request, body []byte) (any, *apiError) {
		if p := r.PathValue("project"); p != s.opts.Project {
			return nil, notFound("The resource 'projects/%s' was not found", p)
		}
		return h(r, body)
	}
}
