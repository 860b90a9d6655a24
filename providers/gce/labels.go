package gce

import "maps"

// What strata marks its Compute Engine and Cloud Storage resources with.
// GC selects by these marks only, so ore and plume take them from here
// rather than spell them.
const (
	// CreatedByLabel=CreatedBy is on every resource strata makes, and in
	// the metadata of every object it uploads.
	CreatedByLabel = "created-by"
	CreatedBy      = "strata"
	// flightLabel names the flight that made an instance.
	flightLabel = "strata-flight"
)

// Labels returns extra with strata's mark added, for a resource to make.
func Labels(extra map[string]string) map[string]string {
	l := maps.Clone(extra)
	if l == nil {
		l = map[string]string{}
	}
	l[CreatedByLabel] = CreatedBy
	return l
}

// Mine is the label filter that selects what strata made.
func Mine() map[string]string { return map[string]string{CreatedByLabel: CreatedBy} }

// ObjectMetadata is the metadata of an object strata uploads.
func ObjectMetadata() map[string]string { return Mine() }

// IsMine reports whether an object's metadata marks it as strata's.
func IsMine(metadata map[string]string) bool { return metadata[CreatedByLabel] == CreatedBy }
