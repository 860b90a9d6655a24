package azure

import (
	"maps"
	"time"
)

// What strata marks its Azure resources with. GC selects by these marks
// only, so ore and plume take them from here rather than spell them.
const (
	// CreatedByTag=CreatedBy is on every resource strata makes.
	CreatedByTag = "created-by"
	CreatedBy    = "strata"
	// CreatedAtTag holds when a resource was made, RFC 3339: ARM reports
	// no creation time for a resource group.
	CreatedAtTag = "created-at"
	// flightTag names the flight a resource group is for.
	flightTag = "strata-flight"
)

// Tags returns extra with strata's marks added, for a resource made now.
func Tags(extra map[string]string, now time.Time) map[string]string {
	t := maps.Clone(extra)
	if t == nil {
		t = map[string]string{}
	}
	t[CreatedByTag] = CreatedBy
	t[CreatedAtTag] = now.UTC().Format(time.RFC3339)
	return t
}

// CreatedAt reads the creation time strata tagged a resource with; ok
// is false when there is none or it is not a time.
func CreatedAt(tags map[string]string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, tags[CreatedAtTag])
	return t, err == nil
}
