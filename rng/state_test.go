package rng

import "testing"

// TestStateRoundTrip: State then FromState must give back the identical
// stream, which then continues the original sequence for every kind of
// draw. A failure means a checkpointed run would not resume bit-identically
// (the state misses a field, such as something a normal draw caches).
func TestStateRoundTrip(t *testing.T) {
	s := New(3, 11)
	// Draw a mix of kinds first, including many normals so that slow-path
	// (wedge and tail) draws, which consume extra uniforms, happen too.
	buf := make([]float64, 4000)
	s.FillNorm(buf)
	for i := 0; i < 1000; i++ {
		s.Norm()
	}
	s.Float64()
	s.IntN(7)
	s.Exp()

	st := s.State()
	r := FromState(st)
	if r != s {
		t.Fatalf("FromState(State()) = %+v, want %+v", r, s)
	}
	if r.State() != st {
		t.Fatalf("State of the restored stream is %v, want %v", r.State(), st)
	}
	a := make([]float64, 3000)
	b := make([]float64, 3000)
	s.FillNorm(a)
	for i := range b {
		b[i] = r.Norm()
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("normal draw %d after restore: %v, original stream gives %v", i, b[i], a[i])
		}
	}
	for i := 0; i < 100; i++ {
		if x, y := s.Uint64(), r.Uint64(); x != y {
			t.Fatalf("uniform draw %d after restore: %#x, original stream gives %#x", i, y, x)
		}
		if x, y := s.Exp(), r.Exp(); x != y {
			t.Fatalf("exponential draw %d after restore: %v, original gives %v", i, y, x)
		}
	}
}

// TestStateZeroStream: an unused zero Stream must round-trip too, and then
// draw like any zero Stream; a failure means checkpointing a stream before
// its first draw would change its sequence.
func TestStateZeroStream(t *testing.T) {
	var z Stream
	r := FromState(z.State())
	var ref Stream
	for i := 0; i < 10; i++ {
		if x, y := ref.Uint64(), r.Uint64(); x != y {
			t.Fatalf("draw %d: restored zero stream gives %#x, zero stream %#x", i, y, x)
		}
	}
	if err := CheckState(z.State()); err != nil {
		t.Fatalf("CheckState refuses the zero stream's state: %v", err)
	}
}

// TestCheckState: the states of real streams pass; an even increment (a
// corrupted state) is refused. If this failed, a reader could accept a
// damaged checkpoint or refuse a good one.
func TestCheckState(t *testing.T) {
	for i := uint64(0); i < 100; i++ {
		s := New(i, i*7+1)
		s.Uint64()
		if err := CheckState(s.State()); err != nil {
			t.Fatalf("stream (%d, %d): %v", i, i*7+1, err)
		}
	}
	if err := CheckState([2]uint64{5, 4}); err == nil {
		t.Fatal("CheckState accepted an even increment")
	}
}

// TestLaneFloat64s checks that streams laid out across lanes draw what
// the streams themselves draw, zero Stream included, and give the streams
// back.
func TestLaneFloat64s(t *testing.T) {
	streams := []Stream{New(1, 0), New(1, 1), {}, New(7, 3)}
	ref := append([]Stream(nil), streams...)
	s, g, u := make([]uint64, 4), make([]uint64, 4), make([]float64, 4)
	LaneStates(s, g, streams)
	lanes := []int{0, 2, 3}
	for round := range 5 {
		if round == 3 {
			lanes = []int{1, 2}
		}
		LaneFloat64s(u, s, g, lanes)
		for _, l := range lanes {
			if want := ref[l].Float64(); u[l] != want {
				t.Fatalf("round %d, lane %d: %v, the stream draws %v", round, l, u[l], want)
			}
		}
	}
	for i := range ref {
		if back := FromState([2]uint64{s[i], g[i]}); back.Uint64() != ref[i].Uint64() {
			t.Fatalf("lane %d: the stream given back draws differently", i)
		}
	}
}
