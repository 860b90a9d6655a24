package sim

import (
	"fmt"
	"time"

	"github.com/strata-os/strata/core/cloud/gcoutcome"
)

// AddGCPopulation plants what a project that leaked for a month holds: n
// instances (with their boot disks), loose disks, images and objects in
// bucket (which must exist), half labelled ours (the objects: ours as
// metadata), half another team's, and of each half, half made two days
// before now and half an hour before it. It returns how many deletions a
// GC with a one-day bound makes (an instance's boot disk goes with it),
// and a check that, after it ran, names every resource it wrongly
// deleted or kept.
func (s *Server) AddGCPopulation(n int, ours map[string]string, bucket string, now time.Time) (deletions int, check func() error) {
	p := &gcoutcome.Population{Now: now, Ours: ours}
	for i := range n {
		labels, created := p.Member(i)
		name := fmt.Sprintf("res-%05d", i)
		switch i % 10 {
		case 0, 1, 2, 3:
			s.AddInstance(name, labels, created)
			p.Planted(i, "instance "+name, "disk "+name)
		case 4, 5:
			s.AddDisk(name, labels, created)
			p.Planted(i, "disk "+name)
		case 6, 7:
			s.AddImage(s.opts.Project, name, "", labels, created)
			p.Planted(i, "image "+name)
		default:
			s.AddObject(bucket, name+".tar.gz", []byte("x"), labels, created)
			p.Planted(i, "object "+name+".tar.gz")
		}
	}
	return p.Deletions(), func() error {
		exists := map[string]bool{}
		for _, in := range s.Instances() {
			exists["instance "+in.Name] = true
		}
		for _, d := range s.Disks() {
			exists["disk "+d.Name] = true
		}
		for _, img := range s.Images() {
			exists["image "+img.Name] = true
		}
		for _, o := range s.Objects(bucket) {
			exists["object "+o.Name] = true
		}
		return p.Check(exists)
	}
}
