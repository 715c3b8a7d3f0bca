package rng

// Streams laid out across lanes: for a sampler whose chains draw at the
// same events (NUTS's lockstep trees), the states and increments of its
// streams in two arrays, drawn from together. A lane's draws are its
// stream's, bit for bit and in order.

// LaneStates writes the state and increment of streams[i] into s[i] and
// g[i] (the zero Stream's increment made explicit, as its first draw
// would). FromState([2]uint64{s[i], g[i]}) gives the stream back.
func LaneStates(s, g []uint64, streams []Stream) {
	s, g = s[:len(streams)], g[:len(streams)]
	for i, st := range streams {
		s[i], g[i] = st.s, st.gamma
		if st.gamma == 0 {
			g[i] = defaultGamma
		}
	}
}

// LaneFloat64s sets u[l], for every lane l listed, to the next Float64 of
// the stream in lane l of s and g, advancing it. The lanes' draws are
// independent, so they overlap in the CPU.
func LaneFloat64s(u []float64, s, g []uint64, lanes []int) {
	for _, l := range lanes {
		x := s[l] + g[l]
		s[l] = x
		u[l] = float64(mix(x)>>11) * 0x1p-53
	}
}
