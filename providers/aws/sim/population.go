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
	p := &gcoutcome.Population{Now: now, Ours: ours}
	for i := range n {
		tags, created := p.Member(i)
		switch i % 10 {
		case 0, 1, 2, 3:
			p.Planted(i, "instance "+s.AddInstance(tags, created))
		case 4, 5, 6:
			name := fmt.Sprintf("key-%d", i)
			s.AddKeyPair(name, tags, created)
			p.Planted(i, "key pair "+name)
		case 7, 8:
			p.Planted(i, "snapshot "+s.AddSnapshot(tags, created))
		default:
			p.Planted(i, "image "+s.AddImage(fmt.Sprintf("img-%d", i), s.AddSnapshot(tags, created), tags, created))
		}
	}
	return p.Deletions(), func() error {
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
		return p.Check(exists)
	}
}
