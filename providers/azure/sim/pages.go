package sim

import (
	"cmp"
	"slices"
)

// pageRanges are the written ranges of a page blob: sorted, disjoint,
// merged where they touch, each [start, end) in bytes. A page blob's
// Get Page Ranges answers them; the bytes outside them read as zeros.
type pageRanges []pageRange

type pageRange struct{ start, end int64 }

// add marks [start, end) written.
func (p pageRanges) add(start, end int64) pageRanges {
	out := make(pageRanges, 0, len(p)+1)
	for _, r := range p {
		switch {
		case r.end < start || r.start > end:
			out = append(out, r)
		default: // overlapping or touching: absorb it
			start, end = min(start, r.start), max(end, r.end)
		}
	}
	out = append(out, pageRange{start, end})
	slices.SortFunc(out, func(a, b pageRange) int { return cmp.Compare(a.start, b.start) })
	return out
}

// clear marks [start, end) unwritten (Put Page's clear, a shrink).
func (p pageRanges) clear(start, end int64) pageRanges {
	out := make(pageRanges, 0, len(p)+1)
	for _, r := range p {
		if r.end <= start || r.start >= end {
			out = append(out, r)
			continue
		}
		if r.start < start {
			out = append(out, pageRange{r.start, start})
		}
		if r.end > end {
			out = append(out, pageRange{end, r.end})
		}
	}
	return out
}

// within returns the written ranges cut to [start, end).
func (p pageRanges) within(start, end int64) pageRanges {
	var out pageRanges
	for _, r := range p {
		if r.end <= start || r.start >= end {
			continue
		}
		out = append(out, pageRange{max(r.start, start), min(r.end, end)})
	}
	return out
}
