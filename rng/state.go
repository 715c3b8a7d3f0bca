package rng

import "fmt"

// State returns the complete state of the stream: st[0] is the SplitMix64
// position and st[1] its increment (gamma). Normal draws cache nothing
// between calls (a rejected ziggurat draw simply draws again), so these two
// words are everything: FromState(s.State()) continues exactly the sequence
// s would have produced, for Uint64, Float64, IntN, Norm, FillNorm and Exp
// alike. Checkpoints store it to resume runs bit-identically.
func (s Stream) State() [2]uint64 { return [2]uint64{s.s, s.gamma} }

// FromState returns the stream whose State is st: the exact inverse of
// State. Every state State returns is valid: its gamma is odd, or 0 for a
// zero Stream that has not drawn yet (which behaves like any zero Stream).
// A state read from a file can be checked with CheckState first.
func FromState(st [2]uint64) Stream { return Stream{s: st[0], gamma: st[1]} }

// CheckState reports whether st can be a state returned by State: its
// gamma (st[1]) must be odd, or 0. An even non-zero gamma means the state
// was corrupted or did not come from this package; such a stream would
// still run but with a shortened period, so a reader should refuse it.
func CheckState(st [2]uint64) error {
	if st[1] != 0 && st[1]&1 == 0 {
		return fmt.Errorf("rng: invalid stream state: increment %#x is even (a stream's increment is odd, or 0 before its first draw)", st[1])
	}
	return nil
}
