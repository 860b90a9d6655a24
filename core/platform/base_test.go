package platform

import (
	"slices"
	"sync"
	"testing"
)

// Machines asked for at once get distinct numbers, 1 to n.
func TestNextIndex(t *testing.T) {
	c := NewBaseCluster(&BaseFlight{}, ClusterOptions{Name: "x"})
	const n = 50
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = c.NextIndex()
		}()
	}
	wg.Wait()
	slices.Sort(got)
	for i, v := range got {
		if v != i+1 {
			t.Fatalf("indices %v, want 1..%d", got, n)
		}
	}
}
