// Package rng provides the per-chain random streams of ebm. A stream is
// derived from (seed, index) alone, so a chain draws the same numbers
// whichever worker runs it and however the chains are sharded.
//
// The generator is SplitMix64 (Steele, Lea and Flood) with a per-stream
// increment ("gamma"): state += gamma, output = mix(state), where mix is
// the splitmix64 finalizer. Streams differ in both their start and their
// gamma, so they are distinct sequences rather than offsets into one; each
// has period 2⁶⁴. The state update is a single add, so consecutive outputs
// are independent computations the CPU overlaps: this is what makes the
// batched normal generator fast. Normal draws use a 256-layer ziggurat
// (Marsaglia and Tsang's method, in Doornik's layout) whose tables are
// built at start-up, one 64-bit output per accepted draw on the fast path.
package rng

import (
	"math"
	"math/bits"
)

// Stream is one independent random stream. The zero value is usable, but
// every zero Stream is the same stream: use New.
type Stream struct {
	s, gamma uint64 // gamma is odd once the stream is in use
}

// New returns the stream for (seed, index). For a fixed seed, different
// indices give different starting states and different gammas.
func New(seed, index uint64) Stream {
	h := mix(mix(seed^0x6a09e667f3bcc909) + index) // a bijection of index for each seed
	return Stream{s: mix(h ^ 0xbb67ae8584caa73b), gamma: makeGamma(h)}
}

// makeGamma turns z into an odd increment with enough bit transitions
// (SplitMix's rule: increments like 0x…0001 make poor streams).
func makeGamma(z uint64) uint64 {
	z = (z ^ (z >> 33)) * 0xff51afd7ed558ccd
	z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53
	z = (z ^ (z >> 33)) | 1
	if bits.OnesCount64(z^(z>>1)) < 24 {
		z ^= 0xaaaaaaaaaaaaaaaa
	}
	return z
}

// mix is the splitmix64 finalizer (a bijection).
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// defaultGamma is the increment of the zero Stream (the golden ratio).
const defaultGamma = 0x9e3779b97f4a7c15

// Uint64 returns 64 uniformly random bits.
func (s *Stream) Uint64() uint64 {
	if s.gamma == 0 {
		s.gamma = defaultGamma
	}
	s.s += s.gamma
	return mix(s.s)
}

// Float64 returns a uniform draw in [0, 1).
func (s *Stream) Float64() float64 { return float64(s.Uint64()>>11) * 0x1p-53 }

// IntN returns a uniform integer in [0, n); n must be > 0.
func (s *Stream) IntN(n int) int {
	if n <= 0 {
		panic("rng: IntN with n <= 0")
	}
	hi, _ := bits.Mul64(s.Uint64(), uint64(n)) // bias < n/2^64: negligible for sampler use
	return int(hi)
}

// Perm returns a uniform random permutation of 0…n−1 (see FillPerm).
func (s *Stream) Perm(n int) []int {
	p := make([]int, n)
	s.FillPerm(p)
	return p
}

// FillPerm sets p to a uniform random permutation of 0…len(p)−1
// (Fisher–Yates from the last position down, one IntN draw per position).
func (s *Stream) FillPerm(p []int) {
	for i := range p {
		p[i] = i
	}
	for i := len(p) - 1; i > 0; i-- {
		j := s.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}

// Exp returns a standard exponential draw (used for slice/accept tests in log space).
func (s *Stream) Exp() float64 { return -math.Log1p(-s.Float64()) }
