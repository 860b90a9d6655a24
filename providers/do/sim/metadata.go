package sim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/strata-os/strata/core/cloud/simmeta"
)

// The droplet metadata service, as a booted droplet's guest reaches it
// at 169.254.169.254: /metadata/v1/ as a tree of plain-text leaves
// (id, hostname, user-data, vendor-data, public-keys, region,
// interfaces/{public,private}/0/…, dns/nameservers, tags/, features/…),
// subdirectories listed with a slash, and /metadata/v1.json all of it as
// one document. It needs no token or header; a droplet made without
// userdata has an empty user-data; only GET and HEAD are answered.

// MetadataRequest is one request a guest made to its metadata service.
type MetadataRequest struct {
	Method, Path string
	Status       int
}

// MetadataLog returns the metadata requests a droplet's guest made.
func (s *Server) MetadataLog(id int) []MetadataRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.droplets[id]; ok {
		return slices.Clone(d.metadataLog)
	}
	return nil
}

func (s *Server) metadataHandler(id int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status := s.serveMetadata(w, r, id)
		if s.opts.Logger != nil {
			s.opts.Logger.Info("metadata request", "instance", id, "method", r.Method, "path", r.URL.Path, "status", status)
		}
		s.mu.Lock()
		if d, ok := s.droplets[id]; ok {
			d.metadataLog = append(d.metadataLog, MetadataRequest{r.Method, r.URL.Path, status})
		}
		s.mu.Unlock()
	})
}

func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request, id int) int {
	fail := func(status int) int {
		http.Error(w, strings.ToLower(http.StatusText(status)), status)
		return status
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return fail(http.StatusMethodNotAllowed)
	}
	s.mu.Lock()
	d, ok := s.droplets[id]
	var doc map[string]any
	var tree simmeta.Tree
	if ok {
		doc, tree = s.metadataOf(d)
	}
	s.mu.Unlock()
	if !ok {
		return fail(http.StatusNotFound)
	}
	if strings.Trim(r.URL.Path, "/") == "metadata/v1.json" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(doc)
		return http.StatusOK
	}
	v, ok := tree.Lookup(r.URL.Path, true)
	if !ok {
		return fail(http.StatusNotFound)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(v))
	return http.StatusOK
}

// metadataOf is a droplet's metadata as the JSON document and as the
// tree of leaves. s.mu must be held.
func (s *Server) metadataOf(d *Droplet) (map[string]any, simmeta.Tree) {
	var keys []string
	for _, k := range d.SSHKeys {
		keys = append(keys, strings.TrimSpace(k.PublicKey))
	}
	iface := func(kind, ip, gateway string, index int) map[string]any {
		return map[string]any{"ipv4": map[string]any{"ip_address": ip, "netmask": "255.255.240.0", "gateway": gateway},
			"mac": fmt.Sprintf("02:00:00:%02x:%02x:%02x", index, d.ID>>8&0xff, d.ID&0xff), "type": kind}
	}
	public, private := iface("public", d.PublicIP, "203.0.113.1", 0), iface("private", d.PrivateIP, "10.116.0.1", 1)
	doc := map[string]any{
		"droplet_id": d.ID, "hostname": d.Name, "user_data": d.UserData, "vendor_data": "#cloud-config\n", "public_keys": keys,
		"auth_key": "", "region": d.Region, "tags": d.Tags, "features": map[string]any{"dhcp_enabled": false},
		"interfaces":  map[string]any{"public": []any{public}, "private": []any{private}},
		"floating_ip": map[string]any{"ipv4": map[string]any{"active": false}},
		"reserved_ip": map[string]any{"ipv4": map[string]any{"active": false}},
		"dns":         map[string]any{"nameservers": []string{"67.207.67.2", "67.207.67.3"}},
	}
	if keys == nil {
		doc["public_keys"] = []string{}
	}
	const v1 = "metadata/v1/"
	tree := simmeta.Tree{
		v1 + "id": strconv.Itoa(d.ID), v1 + "hostname": d.Name, v1 + "vendor-data": "#cloud-config\n",
		v1 + "public-keys": strings.Join(keys, "\n"), v1 + "region": d.Region, v1 + "auth-key": "",
		v1 + "dns/nameservers":         "67.207.67.2\n67.207.67.3",
		v1 + "floating_ip/ipv4/active": "false",
		v1 + "reserved_ip/ipv4/active": "false",
		v1 + "features/dhcp_enabled":   "false",
	}
	for _, t := range d.Tags {
		tree[v1+"tags/"+t] = t
	}
	// A droplet made without userdata answers user-data empty, not 404:
	// Ignition's DigitalOcean provider, written against the real
	// service, fails on a 404 and reads an empty answer as "no config".
	tree[v1+"user-data"] = d.UserData
	if d.UserData == "" {
		delete(doc, "user_data")
	}
	for _, i := range []map[string]any{public, private} {
		p := v1 + "interfaces/" + i["type"].(string) + "/0/"
		ipv4 := i["ipv4"].(map[string]any)
		tree[p+"mac"], tree[p+"type"] = i["mac"].(string), i["type"].(string)
		tree[p+"ipv4/address"], tree[p+"ipv4/netmask"], tree[p+"ipv4/gateway"] = ipv4["ip_address"].(string), ipv4["netmask"].(string), ipv4["gateway"].(string)
	}
	return doc, tree
}
