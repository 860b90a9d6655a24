package gcoutcome

import "time"

// Population is the mix a GC is tested on, as a month-old leaked account
// holds it: of its members, half carry ours (strata's labels) and half
// another team's, and of each half, half were made two days before Now
// and half an hour before it. A GC with a one-day bound must delete
// exactly ours that are two days old. Each simulator makes the members
// in its own resource kinds and reports them with Planted; Check then
// says what the GC got wrong.
type Population struct {
	Now  time.Time
	Ours map[string]string

	gone, keep []string
	deletions  int
}

// Member is how the i-th member is made: its labels and creation time.
func (p *Population) Member(i int) (labels map[string]string, created time.Time) {
	labels, created = map[string]string{"team": "db"}, p.Now.Add(-48*time.Hour)
	if i%2 == 0 {
		labels = p.Ours
	}
	if i%4 >= 2 {
		created = p.Now.Add(-time.Hour)
	}
	return labels, created
}

// mustGo says whether a GC deletes the i-th member.
func mustGo(i int) bool { return i%4 == 0 }

// Planted records the resources ("kind name") made for the i-th member:
// more than one when they go together (an instance and its boot disk).
func (p *Population) Planted(i int, resources ...string) {
	if mustGo(i) {
		p.gone = append(p.gone, resources...)
		p.deletions++
		return
	}
	p.keep = append(p.keep, resources...)
}

// Deletions is how many members a GC must delete.
func (p *Population) Deletions() int { return p.deletions }

// Check says whether the GC left the population as it must, given what
// exists after it.
func (p *Population) Check(exists map[string]bool) error {
	return Check(exists, p.gone, p.keep)
}
