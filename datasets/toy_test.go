package datasets_test

import (
	"math"
	"slices"
	"testing"

	"github.com/goebm/ebm/datasets"
)

// TestSyntheticBasics checks, for every synthetic set at n = 1, 7 and 1000
// (n = 7 leaves a remainder for every component count): the shape, finite
// values, Dim = 2, the same points from the same seed (twice from one
// value and once from a fresh one) and different points from another seed.
// A failure means a pipeline gets the wrong number of points, NaNs, runs
// that cannot be reproduced, or seeds that do not matter.
func TestSyntheticBasics(t *testing.T) {
	for _, name := range synthetic() {
		for _, n := range []int{1, 7, 1000} {
			table := map[string]any{"type": name, "n": n, "seed": 42}
			d, x := load(t, table)
			if d.Dim() != 2 || len(x) != 2*n {
				t.Errorf("%s n=%d: Dim %d, %d values; want 2 and %d", name, n, d.Dim(), len(x), 2*n)
				continue
			}
			for i, v := range x {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s n=%d: value %d is %v", name, n, i, v)
					break
				}
			}
			again, _ := d.Load()
			_, fresh := load(t, table)
			if !slices.Equal(x, again) || !slices.Equal(x, fresh) {
				t.Errorf("%s n=%d: the same seed gave different points", name, n)
			}
			table["seed"] = 43
			_, other := load(t, table)
			same := 0
			for i := range x {
				if x[i] == other[i] {
					same++
				}
			}
			if same > len(x)/10 {
				t.Errorf("%s n=%d: seeds 42 and 43 share %d of %d values", name, n, same, len(x))
			}
		}
	}
}

// TestMoments compares the mean and E|x|² of 20000 points of every
// synthetic set (default keys, so the defaults' scales are checked too)
// with their exact values, within 4 standard errors. A failure means a
// set is drawn at the wrong scale, offset or noise level, or is not the
// distribution its doc comment states.
func TestMoments(t *testing.T) {
	const n = 20000
	pi := math.Pi
	cases := []struct {
		name         string
		mean         [2]float64
		sq           float64 // E|x|²
		extraNoiseSq float64 // 2σ² of the default noise, added to sq
	}{
		// 8 means at radius 2√2, std √2/4: R² + 2s².
		{"8gaussians", [2]float64{0, 0}, 8 + 2.0/8, 0},
		// x and y marginals uniform on [−4, 4): 2·64/12.
		{"checkerboard", [2]float64{0, 0}, 32.0 / 3, 0},
		// Radii 3 and 1.5, half the points each.
		{"circles", [2]float64{0, 0}, (9 + 2.25) / 2, 2 * 0.24 * 0.24},
		// Radii 0.75, 1.5, 2.25, 3, a quarter each.
		{"rings", [2]float64{0, 0}, (0.5625 + 2.25 + 5.0625 + 9) / 4, 2 * 0.08 * 0.08},
		// Arcs of radius 2 about (−1, −0.2) (upper) and (1, 0.8) (lower):
		// E|x|² = ½(|c₁|² + 4 − 1.6/π + |c₂|² + 4 − 6.4/π).
		{"moons", [2]float64{0, 0.3}, 5.34 - 4/pi, 2 * 0.2 * 0.2},
		// t = 1.5π(1 + 2u): E[t cos t]/5 = 0.4, E[t sin t]/5 = 2/(15π), E t²/25 = 0.39π².
		{"swissroll", [2]float64{0.4, 2 / (15 * pi)}, 0.39 * pi * pi, 2 * 0.2 * 0.2},
		// t = 3π√u: E t²/9 = π²/2; the arms are mirror images.
		{"2spirals", [2]float64{0, 0}, pi * pi / 2, 2 * 0.1 * 0.1},
		// |x|² = 4((1 + 0.3z₁)² + (0.1z₂)²); five arms cancel the mean.
		{"pinwheel", [2]float64{0, 0}, 4 * (1 + 0.09 + 0.01), 0},
	}
	for _, c := range cases {
		_, x := load(t, map[string]any{"type": c.name, "n": n, "seed": 3})
		checkZ(t, c.name+" mean x", column(x, 0), c.mean[0])
		checkZ(t, c.name+" mean y", column(x, 1), c.mean[1])
		checkZ(t, c.name+" E|x|²", sqNorms(x), c.sq+c.extraNoiseSq)
	}
}

// near reports whether a and b agree to 1e-12 absolutely.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// TestNoiseZeroOnCurves loads the noisy sets with noise 0 and checks that
// every point lies exactly (to 1e-12) on its curve and that the components
// get their exact shares of the points. A failure means the geometry is
// wrong, or the noise key is ignored or applied even at 0.
func TestNoiseZeroOnCurves(t *testing.T) {
	const n = 1002
	t.Run("moons", func(t *testing.T) {
		_, x := load(t, map[string]any{"type": "moons", "n": n, "noise": 0, "seed": 5})
		upper := 0
		for i := range n {
			px, py := x[2*i], x[2*i+1]
			switch {
			case near(math.Hypot(px+1, py+0.2), 2) && py >= -0.2-1e-12:
				upper++
			case near(math.Hypot(px-1, py-0.8), 2) && py <= 0.8+1e-12:
			default:
				t.Fatalf("point %d (%v, %v) is on neither moon", i, px, py)
			}
		}
		if upper != n/2 {
			t.Errorf("%d points on the upper moon, want %d", upper, n/2)
		}
	})
	t.Run("circles", func(t *testing.T) {
		_, x := load(t, map[string]any{"type": "circles", "n": n, "noise": 0, "factor": 0.25, "seed": 5})
		outer := 0
		for i := range n {
			r := math.Hypot(x[2*i], x[2*i+1])
			switch {
			case near(r, 3):
				outer++
			case near(r, 0.75):
			default:
				t.Fatalf("point %d at radius %v, want 3 or 0.75", i, r)
			}
		}
		if outer != n/2 {
			t.Errorf("%d points on the outer circle, want %d", outer, n/2)
		}
	})
	t.Run("rings", func(t *testing.T) {
		_, x := load(t, map[string]any{"type": "rings", "n": n, "noise": 0, "rings": 3, "seed": 5})
		count := map[int]int{}
		for i := range n {
			r := math.Hypot(x[2*i], x[2*i+1])
			k := math.Round(r)
			if !near(r, k) || k < 1 || k > 3 {
				t.Fatalf("point %d at radius %v, want 1, 2 or 3", i, r)
			}
			count[int(k)]++
		}
		if count[1] != n/3 || count[2] != n/3 || count[3] != n/3 {
			t.Errorf("points per ring %v, want %d each", count, n/3)
		}
	})
	t.Run("swissroll", func(t *testing.T) {
		_, x := load(t, map[string]any{"type": "swissroll", "n": n, "noise": 0, "seed": 5})
		for i := range n {
			tt := 5 * math.Hypot(x[2*i], x[2*i+1])
			sin, cos := math.Sincos(tt)
			if tt < 1.5*math.Pi-1e-9 || tt > 4.5*math.Pi+1e-9 ||
				math.Abs(tt*cos/5-x[2*i]) > 1e-9 || math.Abs(tt*sin/5-x[2*i+1]) > 1e-9 {
				t.Fatalf("point %d (%v, %v) is not on the roll", i, x[2*i], x[2*i+1])
			}
		}
	})
	t.Run("2spirals", func(t *testing.T) {
		_, x := load(t, map[string]any{"type": "2spirals", "n": n, "noise": 0, "seed": 5})
		first := 0
		for i := range n {
			tt := 3 * math.Hypot(x[2*i], x[2*i+1])
			sin, cos := math.Sincos(tt)
			ax, ay := -tt*cos/3, tt*sin/3
			switch {
			case math.Abs(ax-x[2*i]) <= 1e-9 && math.Abs(ay-x[2*i+1]) <= 1e-9:
				first++
			case math.Abs(ax+x[2*i]) <= 1e-9 && math.Abs(ay+x[2*i+1]) <= 1e-9:
			default:
				t.Fatalf("point %d (%v, %v) is on neither arm", i, x[2*i], x[2*i+1])
			}
			if tt > 3*math.Pi+1e-9 {
				t.Fatalf("point %d beyond radius π", i)
			}
		}
		if first != n/2 {
			t.Errorf("%d points on the first arm, want %d", first, n/2)
		}
	})
	t.Run("pinwheel", func(t *testing.T) {
		// With both spreads 0 every point of arm k is 2(cos a, −sin a),
		// a = 2πk/arms + rate·e.
		_, x := load(t, map[string]any{"type": "pinwheel", "n": n, "arms": 3,
			"radial_std": 0, "tangential_std": 0, "rate": 0.5, "seed": 5})
		count := make([]int, 3)
		for i := range n {
			found := false
			for k := range 3 {
				sin, cos := math.Sincos(2*math.Pi*float64(k)/3 + 0.5*math.E)
				if near(x[2*i], 2*cos) && near(x[2*i+1], -2*sin) {
					count[k]++
					found = true
				}
			}
			if !found {
				t.Fatalf("point %d (%v, %v) is at no arm's centre", i, x[2*i], x[2*i+1])
			}
		}
		if count[0] != n/3 || count[1] != n/3 || count[2] != n/3 {
			t.Errorf("points per arm %v, want %d each", count, n/3)
		}
	})
}

// TestNoiseScales checks that the noise and spread keys are standard
// deviations in the units of the returned points, within 4 standard errors:
// for circles with a small noise σ the squared distance to the nearest
// circle has mean σ² (up to a relative O(σ²/R²), far below the standard
// error); E|x|² of 2spirals is π²/2 + 2σ²; and a one-armed pinwheel with
// rate 0 is 2·(1 + radial_std·z₁, tangential_std·z₂). A failure means a
// spread is scaled wrongly (say, applied before a rescaling) or ignored.
func TestNoiseScales(t *testing.T) {
	const n = 20000
	for _, sd := range []float64{0.02, 0.05} {
		_, x := load(t, map[string]any{"type": "circles", "n": n, "noise": sd, "seed": 9})
		d2 := make([]float64, n)
		for i := range n {
			r := math.Hypot(x[2*i], x[2*i+1])
			d2[i] = min((r-3)*(r-3), (r-1.5)*(r-1.5))
		}
		checkZ(t, "circles squared distance to the circles", d2, sd*sd)
	}
	for _, sd := range []float64{0.05, 0.5} {
		_, x := load(t, map[string]any{"type": "2spirals", "n": n, "noise": sd, "seed": 9})
		checkZ(t, "2spirals E|x|²", sqNorms(x), math.Pi*math.Pi/2+2*sd*sd)
	}
	_, x := load(t, map[string]any{"type": "pinwheel", "n": n, "arms": 1, "rate": 0,
		"radial_std": 0.2, "tangential_std": 0.05, "seed": 9})
	checkZ(t, "pinwheel mean x", column(x, 0), 2)
	checkZ(t, "pinwheel mean y", column(x, 1), 0)
	dx, dy := column(x, 0), column(x, 1)
	for i := range dx {
		dx[i] = (dx[i] - 2) * (dx[i] - 2)
		dy[i] *= dy[i]
	}
	checkZ(t, "pinwheel radial variance", dx, 4*0.2*0.2)
	checkZ(t, "pinwheel tangential variance", dy, 4*0.05*0.05)
}

// TestEightGaussiansComponents assigns each point to its nearest mean and
// checks each of the 8 shares against 1/8 (binomial standard error, 4 of
// them) and the mean squared distance to that mean against 2·std², for a
// non-default radius and std. A failure means the means are misplaced, the
// components are not equally likely, or std is not the spread.
func TestEightGaussiansComponents(t *testing.T) {
	const n, radius = 16000, 5.0
	_, x := load(t, map[string]any{"type": "8gaussians", "n": n, "radius": radius, "std": 0.3, "seed": 11})
	count, d2 := make([]int, 8), make([]float64, n)
	for i := range n {
		a := math.Atan2(x[2*i+1], x[2*i])
		k := (int(math.Round(a/(math.Pi/4))) + 8) % 8
		count[k]++
		s, c := math.Sincos(float64(k) * math.Pi / 4)
		dx, dy := x[2*i]-radius*c, x[2*i+1]-radius*s
		d2[i] = dx*dx + dy*dy
	}
	// The means are 12.7 std apart, so nearest-mean assignment is exact in
	// practice and the squared distance has mean 2·std².
	checkZ(t, "squared distance to the nearest mean", d2, 2*0.3*0.3)
	se := math.Sqrt(n * (1.0 / 8) * (7.0 / 8))
	for k, c := range count {
		if z := (float64(c) - n/8.0) / se; math.Abs(z) > 4 {
			t.Errorf("component %d (angle %d·π/4) has %d points, want %v (z = %.1f)", k, k, c, n/8, z)
		}
	}
}

// TestCheckerboardSupport checks that every point lies in a black square
// (LogDensity finite) inside [−4, 4)², and that the 8 squares each get
// 1/8 of the points within 4 binomial standard errors. A failure means
// points fall on white squares or off the board, or squares are uneven.
func TestCheckerboardSupport(t *testing.T) {
	const n = 16000
	d, x := load(t, map[string]any{"type": "checkerboard", "n": n, "seed": 13})
	p := d.(datasets.Density)
	count := map[[2]int]int{}
	for i := range n {
		pt := x[2*i : 2*i+2]
		if pt[0] < -4 || pt[0] >= 4 || pt[1] < -4 || pt[1] >= 4 || math.IsInf(p.LogDensity(pt), -1) {
			t.Fatalf("point %d %v is not on a black square", i, pt)
		}
		count[[2]int{int(math.Floor(pt[0] / 2)), int(math.Floor(pt[1] / 2))}]++
	}
	if len(count) != 8 {
		t.Fatalf("points fall in %d squares, want 8: %v", len(count), count)
	}
	se := math.Sqrt(n * (1.0 / 8) * (7.0 / 8))
	for sq, c := range count {
		if (sq[0]+sq[1])%2 != 0 {
			t.Errorf("square %v is white but holds %d points", sq, c)
		}
		if z := (float64(c) - n/8.0) / se; math.Abs(z) > 4 {
			t.Errorf("square %v has %d points, want %v (z = %.1f)", sq, c, n/8, z)
		}
	}
}

// gridMass integrates exp(LogDensity) over [x0, x1]×[y0, y1] by the
// midpoint rule with step h.
func gridMass(p datasets.Density, x0, x1, y0, y1, h float64) float64 {
	sum := 0.0
	pt := make([]float64, 2)
	for x := x0 + h/2; x < x1; x += h {
		for y := y0 + h/2; y < y1; y += h {
			pt[0], pt[1] = x, y
			sum += math.Exp(p.LogDensity(pt))
		}
	}
	return sum * h * h
}

// TestDensityNormalized integrates each exact density on a grid (the
// midpoint rule is exact for the checkerboard's aligned squares and
// spectrally accurate for Gaussians) and wants 1 to 1e-6. A failure means
// LogDensity is off by a constant, so every NLL checked against it is too.
func TestDensityNormalized(t *testing.T) {
	for _, table := range []map[string]any{
		{"type": "checkerboard"},
		{"type": "8gaussians"},
		{"type": "8gaussians", "radius": 1.0, "std": 0.8},
	} {
		d, err := datasets.FromTable(table)
		if err != nil {
			t.Fatal(err)
		}
		if got := gridMass(d.(datasets.Density), -8, 8, -8, 8, 0.025); math.Abs(got-1) > 1e-6 {
			t.Errorf("%v: density integrates to %.9f, want 1", table, got)
		}
	}
}

// TestDensityMatchesSamples compares the fraction of 20000 points in a box
// with the density's mass there (a grid integral), within 4 binomial
// standard errors. A failure means the sampler and LogDensity describe
// different distributions (a rotated or rescaled mean, a flipped board).
func TestDensityMatchesSamples(t *testing.T) {
	const n = 20000
	for _, c := range []struct {
		table          map[string]any
		x0, x1, y0, y1 float64
	}{
		{map[string]any{"type": "checkerboard", "n": n, "seed": 17}, -1, 3, -3, 1},
		{map[string]any{"type": "8gaussians", "n": n, "seed": 17}, 1, 4, -1, 3},
		{map[string]any{"type": "8gaussians", "n": n, "seed": 17, "radius": 1.5, "std": 0.6}, -0.5, 2, 0.2, 3},
	} {
		d, x := load(t, c.table)
		in := 0
		for i := range n {
			if x[2*i] >= c.x0 && x[2*i] < c.x1 && x[2*i+1] >= c.y0 && x[2*i+1] < c.y1 {
				in++
			}
		}
		mass := gridMass(d.(datasets.Density), c.x0, c.x1, c.y0, c.y1, 0.01)
		se := math.Sqrt(mass * (1 - mass) / n)
		if z := (float64(in)/n - mass) / se; !(math.Abs(z) <= 4) {
			t.Errorf("%v: %.4f of the points in the box, density mass %.4f (z = %.1f)", c.table, float64(in)/n, mass, z)
		}
	}
}

// TestEightGaussiansFarAway checks LogDensity far from every mean, where a
// naive sum of exponentials underflows to log 0 = −Inf: the nearest
// component alone must give the value, to 1e-12 relative. A failure means
// NLL evaluations report −Inf for merely unlikely points.
func TestEightGaussiansFarAway(t *testing.T) {
	g := datasets.NewEightGaussians()
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	x := []float64{60, 1}
	dx, dy := x[0]-g.Radius, x[1]
	want := -(dx*dx+dy*dy)/(2*g.Std*g.Std) - math.Log(8) - math.Log(2*math.Pi*g.Std*g.Std)
	if got := g.LogDensity(x); !(math.Abs(got-want) <= 1e-12*math.Abs(want)) {
		t.Errorf("LogDensity(%v) = %v, want %v", x, got, want)
	}
}
