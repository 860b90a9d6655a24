package sim

import (
	"maps"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Azure Compute Galleries (Shared Image Galleries), as Flatcar publishes
// through them: a gallery holds image definitions (publisher, offer, SKU,
// OS, Hyper-V generation), each holding numbered versions made from a
// managed image or a VHD blob and replicated to target regions.

var (
	galleryName        = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.]{0,78}[A-Za-z0-9_])?$`)
	galleryVersionName = regexp.MustCompile(`^(0|[1-9][0-9]{0,9})\.(0|[1-9][0-9]{0,9})\.(0|[1-9][0-9]{0,9})$`)
)

// regions are the region names a gallery image version may be
// replicated to (Azure's public regions, as `az account list-locations`
// spells them).
var regions = []string{
	"australiaeast", "brazilsouth", "canadacentral", "centralindia", "centralus", "eastasia", "eastus", "eastus2",
	"francecentral", "germanywestcentral", "japaneast", "koreacentral", "northcentralus", "northeurope", "norwayeast",
	"southafricanorth", "southcentralus", "southeastasia", "swedencentral", "switzerlandnorth", "uaenorth", "uksouth",
	"westcentralus", "westeurope", "westus", "westus2", "westus3",
}

func prepareGallery(s *Server, res, _ *Resource) *armError {
	res.Properties["identifier"] = map[string]any{"uniqueName": s.opts.Subscription + "-" + strings.ToUpper(res.Name)}
	return nil
}

func prepareGalleryImage(s *Server, res, old *Resource) *armError {
	p := res.Properties
	if t := getString(p, "osType"); t != "Linux" && t != "Windows" {
		return invalidParam("galleryImage.properties.osType", "The value '%s' of parameter 'galleryImage.properties.osType' is invalid: Linux or Windows.", t)
	}
	if st := getString(p, "osState"); st != "Generalized" && st != "Specialized" {
		return invalidParam("galleryImage.properties.osState", "The value '%s' of parameter 'galleryImage.properties.osState' is invalid: Generalized or Specialized.", st)
	}
	for _, f := range []string{"publisher", "offer", "sku"} {
		if getString(p, "identifier", f) == "" {
			return invalidParam("galleryImage.properties.identifier."+f, "Required parameter 'galleryImage.properties.identifier.%s' is missing (null).", f)
		}
	}
	switch getString(p, "hyperVGeneration") {
	case "":
		p["hyperVGeneration"] = "V1"
	case "V1", "V2":
	default:
		return invalidParam("galleryImage.properties.hyperVGeneration", "The value '%s' of parameter 'galleryImage.properties.hyperVGeneration' is invalid: V1 or V2.", getString(p, "hyperVGeneration"))
	}
	if old != nil {
		for _, f := range []string{"osType", "osState", "hyperVGeneration"} {
			if getString(p, f) != getString(old.Properties, f) {
				return &armError{http.StatusConflict, "PropertyChangeNotAllowed", "Changing property 'galleryImage.properties." + f + "' is not allowed."}
			}
		}
		for _, f := range []string{"publisher", "offer", "sku"} {
			if getString(p, "identifier", f) != getString(old.Properties, "identifier", f) {
				return &armError{http.StatusConflict, "PropertyChangeNotAllowed", "Changing property 'galleryImage.properties.identifier." + f + "' is not allowed."}
			}
		}
	}
	return nil
}

// prepareGalleryImageVersion checks a version's source (a managed image
// of the definition's Hyper-V generation, or a VHD blob with its storage
// account) and target regions, and reports replication under way.
func prepareGalleryImageVersion(s *Server, res, old *Resource) *armError {
	defID := res.ID[:strings.LastIndex(strings.ToLower(res.ID), "/versions/")]
	def := s.byID(defID)
	p := res.Properties
	if x := get(p, "publishingProfile", "excludeFromLatest"); x != nil {
		if _, ok := x.(bool); !ok {
			return invalidParam("galleryImageVersion.properties.publishingProfile.excludeFromLatest", "The value of parameter excludeFromLatest is invalid: true or false.")
		}
	}
	if old != nil {
		// A version's source is for good; the rest (regions, whether it
		// is latest, tags) may change.
		if !reflect.DeepEqual(get(p, "storageProfile"), get(old.Properties, "storageProfile")) {
			return &armError{http.StatusConflict, "PropertyChangeNotAllowed", "Changing property 'galleryImageVersion.properties.storageProfile' is not allowed."}
		}
		return checkTargetRegions(s, res, old)
	}
	sourceID := getString(p, "storageProfile", "source", "id")
	blobURI := getString(p, "storageProfile", "osDiskImage", "source", "uri")
	switch {
	case sourceID != "":
		img := s.byID(sourceID)
		if img == nil || !strings.EqualFold(img.Type, "Microsoft.Compute/images") {
			return invalidParam("galleryImageVersion.properties.storageProfile.source.id", "The source image '%s' was not found (the simulator takes managed images as sources).", sourceID)
		}
		if gen, want := getString(img.Properties, "hyperVGeneration"), getString(def.Properties, "hyperVGeneration"); !strings.EqualFold(gen, want) {
			return invalidParam("galleryImageVersion.properties.storageProfile.source.id", "The Hyper-V generation of the source image (%s) does not match the gallery image's (%s).", gen, want)
		}
	case blobURI != "":
		if getString(p, "storageProfile", "osDiskImage", "source", "storageAccountId") == "" {
			return invalidParam("galleryImageVersion.properties.storageProfile.osDiskImage.source.storageAccountId", "Required parameter 'storageAccountId' is missing (null): a VHD source names its storage account.")
		}
		if err := s.checkImageBlob(blobURI); err != nil {
			return err
		}
	default:
		return invalidParam("galleryImageVersion.properties.storageProfile", "The gallery image version needs a source: storageProfile.source.id or storageProfile.osDiskImage.source.uri.")
	}
	return checkTargetRegions(s, res, old)
}

// checkTargetRegions checks a version's target regions (the gallery's by
// default) and reports replication under way; a new version's disk is
// kept for machines to boot.
func checkTargetRegions(s *Server, res, old *Resource) *armError {
	p := res.Properties
	targets := getList(p, "publishingProfile", "targetRegions")
	if len(targets) == 0 {
		targets = []map[string]any{{"name": s.opts.Location}}
		if p["publishingProfile"] == nil {
			p["publishingProfile"] = map[string]any{}
		}
		p["publishingProfile"].(map[string]any)["targetRegions"] = []any{targets[0]}
	}
	var summary []any
	for _, t := range targets {
		name := normalizeLocation(getString(t, "name"))
		if !slices.Contains(regions, name) {
			return invalidParam("galleryImageVersion.properties.publishingProfile.targetRegions", "The region '%s' is not an Azure region the simulator knows (%s).", getString(t, "name"), strings.Join(regions, ", "))
		}
		summary = append(summary, map[string]any{"region": name, "state": "Replicating", "progress": 0})
	}
	if old == nil && !hasRegion(targets, s.opts.Location) {
		return invalidParam("galleryImageVersion.properties.publishingProfile.targetRegions", "The gallery image version must be replicated to the gallery's region %s.", s.opts.Location)
	}
	p["publishingProfile"].(map[string]any)["publishedDate"] = s.opts.Now().UTC().Format("2006-01-02T15:04:05.0000000Z")
	p["replicationStatus"] = map[string]any{"aggregatedState": "InProgress", "summary": summary}
	if old == nil {
		return s.importImageDisk(res)
	}
	return nil
}

func hasRegion(targets []map[string]any, region string) bool {
	for _, t := range targets {
		if normalizeLocation(getString(t, "name")) == normalizeLocation(region) {
			return true
		}
	}
	return false
}

// galleryImageVersionReplicated finishes replication when the version's
// creation does.
func galleryImageVersionReplicated(s *Server, res *Resource) {
	var summary []any
	for _, t := range getList(res.Properties, "publishingProfile", "targetRegions") {
		summary = append(summary, map[string]any{"region": normalizeLocation(getString(t, "name")), "state": "Completed", "progress": 100})
	}
	res.Properties["replicationStatus"] = map[string]any{"aggregatedState": "Completed", "summary": summary}
}

// nestedInUse refuses to delete a gallery or image definition that still
// holds definitions or versions, as ARM does.
func nestedInUse(s *Server, res *Resource) string {
	prefix := strings.ToLower(res.ID) + "/"
	for k := range s.resources {
		if strings.HasPrefix(k, prefix) {
			return "Can not delete resource before nested resources are deleted."
		}
	}
	return ""
}

// listChildren lists a nested kind under its parent:
// …/galleries/{g}/images, …/images/{d}/versions.
func (s *Server) listChildren(a armPath) handler {
	return func(r *http.Request, _ []byte) (any, *armError) {
		parent := armPath{subscription: a.subscription, group: a.group, namespace: a.namespace, segs: a.segs[:len(a.segs)-1]}
		if s.lookup(parent) == nil {
			return nil, s.notFoundResource(parent)
		}
		prefix := strings.ToLower(s.resourceID(a)) + "/"
		var items []map[string]any
		for _, k := range slices.Sorted(maps.Keys(s.resources)) {
			if rest, ok := strings.CutPrefix(k, prefix); ok && !strings.Contains(rest, "/") {
				items = append(items, s.present(s.resources[k]))
			}
		}
		return s.page(r, items), nil
	}
}

// checkGalleryVersion is what a VM needs of the gallery image version it
// boots: made, and replicated to the VM's region.
func (s *Server) checkGalleryVersion(res *Resource) *armError {
	if res.State != "Succeeded" {
		return &armError{http.StatusConflict, "GalleryImageVersionNotReady", "The gallery image version '" + res.ID + "' is " + res.State + "."}
	}
	if !hasRegion(getList(res.Properties, "publishingProfile", "targetRegions"), s.opts.Location) {
		return invalidParam("imageReference.id", "The gallery image version '%s' is not replicated to region %s.", res.ID, s.opts.Location)
	}
	return nil
}

// latestVersion is what an image definition's "latest" is: its highest
// version (by number) not excluded from latest, made and replicated to
// the simulator's region.
func (s *Server) latestVersion(def *Resource) (*Resource, *armError) {
	prefix := strings.ToLower(def.ID) + "/versions/"
	var best *Resource
	for k, v := range s.resources {
		if !strings.HasPrefix(k, prefix) || v.State != "Succeeded" {
			continue
		}
		if excluded, _ := get(v.Properties, "publishingProfile", "excludeFromLatest").(bool); excluded {
			continue
		}
		if !hasRegion(getList(v.Properties, "publishingProfile", "targetRegions"), s.opts.Location) {
			continue
		}
		if best == nil || versionLess(best.Name, v.Name) {
			best = v
		}
	}
	if best == nil {
		return nil, notFound("GalleryImageVersionNotFound", "The gallery image '%s' has no version to use as its latest in region %s (none made, or all excluded from latest).", def.ID, s.opts.Location)
	}
	return best, nil
}

// versionLess compares gallery version names (MAJOR.MINOR.PATCH) by number.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range min(len(pa), len(pb)) {
		na, _ := strconv.ParseInt(pa[i], 10, 64)
		nb, _ := strconv.ParseInt(pb[i], 10, 64)
		if na != nb {
			return na < nb
		}
	}
	return len(pa) < len(pb)
}
