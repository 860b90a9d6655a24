package aws

import "maps"

// What strata marks its AWS resources with. GC selects by these marks
// only, so ore and plume take them from here rather than spell them.
const (
	// CreatedByTag=CreatedBy is on every EC2 resource strata makes.
	CreatedByTag = "CreatedBy"
	CreatedBy    = "strata"
	// CreatedTag holds when a resource without a creation time of its
	// own (a VPC) was made, RFC 3339.
	CreatedTag = "strata-created"
	// ObjectMetadataKey is the S3 user metadata key of strata's uploads
	// (S3 keeps user metadata keys in lower case).
	ObjectMetadataKey = "created-by"
	// flightTag names the flight that launched an instance.
	flightTag = "strata-flight"
)

// Tags returns extra with strata's mark added, for a resource to make.
func Tags(extra map[string]string) map[string]string {
	t := maps.Clone(extra)
	if t == nil {
		t = map[string]string{}
	}
	t[CreatedByTag] = CreatedBy
	return t
}

// Mine is the tag filter that selects what strata made.
func Mine() map[string]string { return map[string]string{CreatedByTag: CreatedBy} }

// ObjectMetadata is the metadata of an object strata uploads.
func ObjectMetadata() map[string]string { return map[string]string{ObjectMetadataKey: CreatedBy} }

// IsMine reports whether an object's metadata marks it as strata's.
func IsMine(metadata map[string]string) bool { return metadata[ObjectMetadataKey] == CreatedBy }
