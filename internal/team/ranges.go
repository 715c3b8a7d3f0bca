package team

import "sync/atomic"

// Ranges runs a function over [0, n) cut into contiguous ranges, each a
// unit of a Team: for element-wise passes over long vectors (a model's
// parameters and gradient), whose results do not depend on the cut. Its
// zero value is ready; it must not be copied after its first use.
type Ranges struct {
	t      Team
	f      func(lo, hi int)
	n, per int
}

// Run calls f(lo, hi) for ranges covering [0, n) on up to w goroutines,
// the caller's among them: at most w ranges, none shorter than grain but
// the last, each starting at a multiple of 8 (whole vectors for the simd
// kernels). With one range it calls f(0, n) on the caller. Calls for one
// Ranges must not overlap.
func (r *Ranges) Run(n, w, grain int, f func(lo, hi int)) {
	parts := min(w, n/max(grain, 1))
	if parts <= 1 {
		f(0, n)
		return
	}
	per := ((n+parts-1)/parts + 7) &^ 7
	parts = (n + per - 1) / per
	r.f, r.n, r.per = f, n, per
	if r.t.Do == nil {
		r.t.Do = func(i int) {
			lo := i * r.per
			r.f(lo, min(r.n, lo+r.per))
		}
	}
	r.t.Run(parts, parts)
	r.f = nil
}

// All reports whether ok holds for every range of Run(n, w, grain, …):
// a check over a long vector (are all its values finite?) on the cores.
func (r *Ranges) All(n, w, grain int, ok func(lo, hi int) bool) bool {
	var bad atomic.Bool
	r.Run(n, w, grain, func(lo, hi int) {
		if !ok(lo, hi) {
			bad.Store(true)
		}
	})
	return !bad.Load()
}

// ForRanges is Ranges.Run on a Ranges of its own (allocated only when the
// work is split), for callers without a place to keep one.
func ForRanges(n, w, grain int, f func(lo, hi int)) {
	if min(w, n/max(grain, 1)) <= 1 {
		f(0, n)
		return
	}
	new(Ranges).Run(n, w, grain, f)
}

// MinRange is a range length below which splitting an element-wise pass
// over the cores costs more than it saves (a hand-over to a helper costs
// microseconds; a conversion or an Adam update of 1<<15 values, tens).
const MinRange = 1 << 15
