package sim

import (
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud/gcoutcome"
)

// AddGCPopulation plants what an account that leaked for a month holds:
// n instances, key pairs, snapshots and images (with their own
// snapshots), half tagged ours, half another team's, and of each half,
// half made two days before now and half an hour before it. It returns
// how many deletions a GC with a one-day bound makes, and a check that,
// after it ran, names every resource it wrongly deleted or kept.
func (s *Server) AddGCPopulation(n int, ours map[string]string, now time.Time) (deletions int, check func() error) {
	old, young := now.Add(-48*time.Hour), now.Add(-time.Hour)
	var gone, keep []string
	for i := range n {
		mine, created := i%2 == 0, old
		if i%4 >= 2 {
			created = young
		}
		tags := map[string]string{"team": "db"}
		if mine {
			tags = ours
		}
		var r string
		switch i % 10 {
		case 0, 1, 2, 3:
			r = "instance " + s.AddInstance(tags, created)
		case 4, 5, 6:
			name := fmt.Sprintf("key-%d", i)
			s.AddKeyPair(name, tags, created)
			r = "key pair " + name
		case 7, 8:
			r = "snapshot " + s.AddSnapshot(tags, created)
		default:
			r = "image " + s.AddImage(fmt.Sprintf("img-%d", i), s.AddSnapshot(tags, created), tags, created)
		}
		if mine && created.Equal(old) {
			gone = append(gone, r)
			deletions++
		} else {
			keep = append(keep, r)
		}
	}
	return deletions, func() error {
		exists := map[string]bool{}
		for _, in := range s.Instances() {
			if in.State != "terminated" && in.State != "shutting-down" {
				exists["instance "+in.ID] = true
			}
		}
		for _, k := range s.KeyPairs() {
			exists["key pair "+k.Name] = true
		}
		for _, sn := range s.Snapshots() {
			exists["snapshot "+sn.ID] = true
		}
		for _, im := range s.Images() {
			exists["image "+im.ID] = true
		}
		return gcoutcome.Check(exists, gone, keep)
	}
}
