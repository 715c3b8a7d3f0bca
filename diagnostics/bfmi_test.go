package diagnostics

import (
	"math"
	"testing"
)

// TestEBFMI checks a hand-computed value and the limits: for 1, 3, 2, 4 the
// mean is 2.5, Σ(E − Ē)² = 5 and Σ ΔE² = 4 + 1 + 4 = 9, so 9/5; i.i.d.
// energies give about 2 (the mean squared difference is twice the
// variance), a slowly drifting AR(1) chain far less.
func TestEBFMI(t *testing.T) {
	if got := EBFMI([]float64{1, 3, 2, 4}); math.Abs(got-1.8) > 1e-15 {
		t.Errorf("EBFMI(1, 3, 2, 4) = %v, want 1.8", got)
	}
	if got := EBFMI(normalChains(1, 1, 4000)[0]); got < 1.8 || got > 2.2 {
		t.Errorf("EBFMI of i.i.d. draws = %v, want ≈ 2", got)
	}
	if got := EBFMI(ar1Chains(1, 1, 4000, 0.95)[0]); got > 0.3 {
		t.Errorf("EBFMI of AR(1) ρ = 0.95 = %v, want ≈ 0.1", got)
	}
	for _, e := range [][]float64{nil, {1}, {2, 2, 2}, {1, math.NaN(), 2}} {
		if got := EBFMI(e); !math.IsNaN(got) {
			t.Errorf("EBFMI(%v) = %v, want NaN", e, got)
		}
	}
}
