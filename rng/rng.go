// Package rng provides the per-chain random streams of ebm. A stream is
// derived from (seed, index) alone, so a chain draws the same numbers
// whichever worker runs it and however the chains are sharded.
package rng

import (
	"math"
	"math/rand/v2"
)

// Stream is one independent random stream (PCG-DXSM). The zero value is
// usable but every zero Stream is the same stream: use New.
type Stream struct {
	pcg rand.PCG
}

// New returns the stream for (seed, index). Streams for different indices
// are statistically independent.
func New(seed, index uint64) Stream {
	var s Stream
	s.pcg.Seed(mix(seed^0x9e3779b97f4a7c15), mix(index+0x632be59bd9b4e019^mix(seed)))
	return s
}

// mix is the splitmix64 finalizer.
func mix(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns 64 uniformly random bits.
func (s *Stream) Uint64() uint64 { return s.pcg.Uint64() }

// Float64 returns a uniform draw in [0, 1).
func (s *Stream) Float64() float64 { return float64(s.pcg.Uint64()>>11) * 0x1p-53 }

// IntN returns a uniform integer in [0, n); n must be > 0.
func (s *Stream) IntN(n int) int {
	if n <= 0 {
		panic("rng: IntN with n <= 0")
	}
	return int(s.pcg.Uint64() % uint64(n)) // bias < n/2^64: negligible for sampler use
}

// Norm returns a standard normal draw.
func (s *Stream) Norm() float64 {
	// Marsaglia's polar method; exact, one of each pair is discarded to keep
	// the stream stateless beyond the PCG.
	for {
		u := 2*s.Float64() - 1
		v := 2*s.Float64() - 1
		q := u*u + v*v
		if q > 0 && q < 1 {
			return u * math.Sqrt(-2*math.Log(q)/q)
		}
	}
}

// FillNorm fills dst with independent standard normal draws.
func (s *Stream) FillNorm(dst []float64) {
	for i := range dst {
		dst[i] = s.Norm()
	}
}

// Exp returns a standard exponential draw (used for slice/accept tests in log space).
func (s *Stream) Exp() float64 { return -math.Log1p(-s.Float64()) }
