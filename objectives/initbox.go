package objectives

import (
	"fmt"
	"math"
)

// checkInitBox validates pcd's init_box key: absent, or [lo, hi] with
// lo < hi, both finite, and only with init = "uniform".
func checkInitBox(b []float64, dist string) error {
	if b == nil {
		return nil
	}
	if len(b) != 2 {
		return fmt.Errorf("key %q: must be [lo, hi] (two numbers), got %d values", "init_box", len(b))
	}
	lo, hi := b[0], b[1]
	if math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(lo < hi) {
		return fmt.Errorf("key %q: must be [lo, hi] with lo < hi, both finite, got [%v, %v]", "init_box", lo, hi)
	}
	if dist != "uniform" {
		return fmt.Errorf("key %q: applies to init = \"uniform\" only, got init = %q", "init_box", dist)
	}
	return nil
}

// boxNoise is the uniform density over [lo, hi]^d, b = [lo, hi] (nil
// when b is nil).
func boxNoise(b []float64, d int) *noise {
	if b == nil {
		return nil
	}
	q := &noise{d: d, lo: make([]float64, d), wid: make([]float64, d), z: make([]float64, d)}
	for j := range q.lo {
		q.lo[j], q.wid[j] = b[0], b[1]-b[0]
		q.logNorm -= math.Log(q.wid[j])
	}
	return q
}
