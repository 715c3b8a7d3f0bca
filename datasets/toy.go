package datasets

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
)

func init() {
	Register("8gaussians", func() Dataset { return NewEightGaussians() })
	Register("2spirals", func() Dataset { return &TwoSpirals{N: defaultN, Noise: 0.1} })
	Register("checkerboard", func() Dataset { return &Checkerboard{N: defaultN} })
	Register("circles", func() Dataset { return &Circles{N: defaultN, Noise: 0.24, Factor: 0.5} })
	Register("moons", func() Dataset { return &Moons{N: defaultN, Noise: 0.2} })
	Register("pinwheel", func() Dataset {
		return &Pinwheel{N: defaultN, Arms: 5, RadialStd: 0.3, TangentialStd: 0.1, Rate: 0.25}
	})
	Register("rings", func() Dataset { return &Rings{N: defaultN, Noise: 0.08, Rings: 4} })
	Register("swissroll", func() Dataset { return &SwissRoll{N: defaultN, Noise: 0.2} })
}

const (
	defaultN = 10000
	// maxN bounds n so that a typo (an extra zero or three) is an error
	// rather than an allocation of many gigabytes.
	maxN = 100_000_000
)

// checkN validates the key n.
func checkN(n int) error {
	if n < 1 || n > maxN {
		return fmt.Errorf("key \"n\": the number of points must be between 1 and %d, got %d", maxN, n)
	}
	return nil
}

// checkNonNeg validates a key that must be finite and ≥ 0.
func checkNonNeg(key string, v float64) error {
	if !(v >= 0) || math.IsInf(v, 1) {
		return fmt.Errorf("key %q: must be finite and >= 0, got %v", key, v)
	}
	return nil
}

// counts splits n points over k components as equally as possible; the
// last n mod k components get one more.
func counts(n, k int) []int {
	c := make([]int, k)
	for i := range c {
		c[i] = n / k
		if i >= k-n%k {
			c[i]++
		}
	}
	return c
}

// addNoise adds sd·N(0, 1) to every value of x.
func addNoise(s *rng.Stream, x []float64, sd float64) {
	for i := range x {
		x[i] += sd * s.Norm()
	}
}

// shuffleRows permutes the rows of x (n×2) uniformly (Fisher–Yates).
func shuffleRows(s *rng.Stream, x []float64) {
	for i := len(x)/2 - 1; i > 0; i-- {
		j := s.IntN(i + 1)
		x[2*i], x[2*j] = x[2*j], x[2*i]
		x[2*i+1], x[2*j+1] = x[2*j+1], x[2*i+1]
	}
}

// Moons is two interleaving half circles of radius 2: FFJORD's moons,
// which is scikit-learn's make_moons scaled by 2 and shifted by (−1, −0.2).
// The upper arc is centred at (−1, −0.2) and the lower arc at (1, 0.8);
// angles are uniform on [0, π]; each arc gets half the points (the lower
// one the odd point), in shuffled order. The mean is (0, 0.3). The default
// noise, 0.2, is FFJORD's make_moons(noise=0.1) after the scaling by 2.
type Moons struct {
	N     int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Noise float64 `toml:"noise" doc:"standard deviation of the Gaussian noise added to each coordinate (>= 0)"`
	Seed  uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (m *Moons) Description() string {
	return "two interleaving half circles of radius 2 (FFJORD's moons)"
}

// Init validates the keys.
func (m *Moons) Validate() error {
	if err := checkN(m.N); err != nil {
		return err
	}
	return checkNonNeg("noise", m.Noise)
}

// Dim is 2.
func (m *Moons) Dim() int { return 2 }

// Load draws the points.
func (m *Moons) Load() ([]float64, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(m.Seed, 0)
	x := make([]float64, 0, 2*m.N)
	c := counts(m.N, 2)
	for range c[0] {
		sin, cos := math.Sincos(math.Pi * s.Float64())
		x = append(x, -1+2*cos, -0.2+2*sin)
	}
	for range c[1] {
		sin, cos := math.Sincos(math.Pi * s.Float64())
		x = append(x, 1-2*cos, 0.8-2*sin)
	}
	addNoise(&s, x, m.Noise)
	shuffleRows(&s, x)
	return x, nil
}

// Circles is two concentric circles: FFJORD's circles, which is
// scikit-learn's make_circles(factor=0.5) scaled by 3. The outer circle has
// radius 3 and the inner one 3·factor (1.5 by default); angles are uniform;
// each circle gets half the points (the inner one the odd point), in
// shuffled order. The default noise, 0.24, is make_circles(noise=0.08)
// after the scaling by 3.
type Circles struct {
	N      int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Noise  float64 `toml:"noise" doc:"standard deviation of the Gaussian noise added to each coordinate (>= 0)"`
	Factor float64 `toml:"factor" doc:"radius of the inner circle over that of the outer one (radius 3), in (0, 1)"`
	Seed   uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (c *Circles) Description() string {
	return "two concentric circles of radii 3 and 3·factor (FFJORD's circles)"
}

// Init validates the keys.
func (c *Circles) Validate() error {
	if err := checkN(c.N); err != nil {
		return err
	}
	if !(c.Factor > 0 && c.Factor < 1) {
		return fmt.Errorf("key \"factor\": the inner radius over the outer one must be in (0, 1), got %v", c.Factor)
	}
	return checkNonNeg("noise", c.Noise)
}

// Dim is 2.
func (c *Circles) Dim() int { return 2 }

// Load draws the points.
func (c *Circles) Load() ([]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(c.Seed, 0)
	x := make([]float64, 0, 2*c.N)
	for k, m := range counts(c.N, 2) {
		r := 3.0
		if k == 1 {
			r *= c.Factor
		}
		for range m {
			sin, cos := math.Sincos(2 * math.Pi * s.Float64())
			x = append(x, r*cos, r*sin)
		}
	}
	addNoise(&s, x, c.Noise)
	shuffleRows(&s, x)
	return x, nil
}

// Rings is concentric circles of radii 3k/rings, k = 1…rings: FFJORD's
// rings, whose four radii are 0.75, 1.5, 2.25 and 3. The rings get equal
// shares of the points (the outer ones the remainder), in shuffled order.
// FFJORD spaces the angles evenly; here they are uniform random, so the
// points are exchangeable. The default noise, 0.08, is FFJORD's.
type Rings struct {
	N     int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Noise float64 `toml:"noise" doc:"standard deviation of the Gaussian noise added to each coordinate (>= 0)"`
	Rings int     `toml:"rings" doc:"number of rings (>= 1); ring k of rings has radius 3k/rings"`
	Seed  uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (r *Rings) Description() string {
	return "concentric rings of radii 3k/rings (FFJORD's rings)"
}

// Init validates the keys.
func (r *Rings) Validate() error {
	if err := checkN(r.N); err != nil {
		return err
	}
	if r.Rings < 1 || r.Rings > 1000 {
		return fmt.Errorf("key \"rings\": the number of rings must be between 1 and 1000, got %d", r.Rings)
	}
	return checkNonNeg("noise", r.Noise)
}

// Dim is 2.
func (r *Rings) Dim() int { return 2 }

// Load draws the points.
func (r *Rings) Load() ([]float64, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(r.Seed, 0)
	x := make([]float64, 0, 2*r.N)
	for k, m := range counts(r.N, r.Rings) {
		rad := 3 * float64(k+1) / float64(r.Rings)
		for range m {
			sin, cos := math.Sincos(2 * math.Pi * s.Float64())
			x = append(x, rad*cos, rad*sin)
		}
	}
	addNoise(&s, x, r.Noise)
	shuffleRows(&s, x)
	return x, nil
}

// SwissRoll is a 2-D spiral: FFJORD's swissroll, which keeps the first and
// last coordinates of scikit-learn's make_swiss_roll and divides by 5. A
// point is (t cos t, t sin t)/5 with t = 1.5π(1 + 2u), u uniform on [0, 1),
// so its distance from the origin runs from 0.3π to 0.9π. The default
// noise, 0.2, is make_swiss_roll(noise=1.0) after the division by 5.
type SwissRoll struct {
	N     int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Noise float64 `toml:"noise" doc:"standard deviation of the Gaussian noise added to each coordinate (>= 0)"`
	Seed  uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (w *SwissRoll) Description() string {
	return "a spiral (t cos t, t sin t)/5, t in [1.5π, 4.5π] (FFJORD's swissroll)"
}

// Init validates the keys.
func (w *SwissRoll) Validate() error {
	if err := checkN(w.N); err != nil {
		return err
	}
	return checkNonNeg("noise", w.Noise)
}

// Dim is 2.
func (w *SwissRoll) Dim() int { return 2 }

// Load draws the points.
func (w *SwissRoll) Load() ([]float64, error) {
	if err := w.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(w.Seed, 0)
	x := make([]float64, 0, 2*w.N)
	for range w.N {
		t := 1.5 * math.Pi * (1 + 2*s.Float64())
		sin, cos := math.Sincos(t)
		x = append(x, t*cos/5, t*sin/5)
	}
	addNoise(&s, x, w.Noise)
	return x, nil
}

// TwoSpirals is two interleaved spiral arms: FFJORD's 2spirals. A point of
// the first arm is t(−cos t, sin t)/3 with t = 3π√u, u uniform on [0, 1);
// the second arm is the first one reflected through the origin. Each arm
// gets half the points (the second one the odd point), in shuffled order;
// the arms reach radius π. FFJORD also adds a uniform [0, 0.5)² jitter
// before dividing by 3, which moves the two arms apart; it is left out
// here, so the set is exactly symmetric about the origin. The default
// noise, 0.1, is FFJORD's.
type TwoSpirals struct {
	N     int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Noise float64 `toml:"noise" doc:"standard deviation of the Gaussian noise added to each coordinate (>= 0)"`
	Seed  uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (t *TwoSpirals) Description() string {
	return "two interleaved spiral arms of radius π (FFJORD's 2spirals)"
}

// Init validates the keys.
func (t *TwoSpirals) Validate() error {
	if err := checkN(t.N); err != nil {
		return err
	}
	return checkNonNeg("noise", t.Noise)
}

// Dim is 2.
func (t *TwoSpirals) Dim() int { return 2 }

// Load draws the points.
func (t *TwoSpirals) Load() ([]float64, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(t.Seed, 0)
	x := make([]float64, 0, 2*t.N)
	for k, m := range counts(t.N, 2) {
		sign := 1.0
		if k == 1 {
			sign = -1
		}
		for range m {
			a := 3 * math.Pi * math.Sqrt(s.Float64())
			sin, cos := math.Sincos(a)
			x = append(x, -sign*a*cos/3, sign*a*sin/3)
		}
	}
	addNoise(&s, x, t.Noise)
	shuffleRows(&s, x)
	return x, nil
}

// Pinwheel is arms of Gaussian blobs bent into a pinwheel: FFJORD's
// pinwheel (after Johnson et al., 2016). A point of arm k has features
// f = (1 + radial_std·z₁, tangential_std·z₂), z ~ N(0, I), and is
// 2·(f₁ cos a + f₂ sin a, −f₁ sin a + f₂ cos a) with
// a = 2πk/arms + rate·exp(f₁). The arms get equal shares of the points (the
// last ones the remainder), in shuffled order. The defaults (5 arms,
// radial_std 0.3, tangential_std 0.1, rate 0.25) are FFJORD's.
type Pinwheel struct {
	N             int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Arms          int     `toml:"arms" doc:"number of arms (>= 1)"`
	RadialStd     float64 `toml:"radial_std" doc:"standard deviation along an arm, before the factor 2 (>= 0)"`
	TangentialStd float64 `toml:"tangential_std" doc:"standard deviation across an arm, before the factor 2 (>= 0)"`
	Rate          float64 `toml:"rate" doc:"how strongly the arms bend: the angle grows by rate·exp(radial feature)"`
	Seed          uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (p *Pinwheel) Description() string {
	return "bent arms of Gaussian blobs (FFJORD's pinwheel)"
}

// Init validates the keys.
func (p *Pinwheel) Validate() error {
	if err := checkN(p.N); err != nil {
		return err
	}
	if p.Arms < 1 || p.Arms > 1000 {
		return fmt.Errorf("key \"arms\": the number of arms must be between 1 and 1000, got %d", p.Arms)
	}
	if err := checkNonNeg("radial_std", p.RadialStd); err != nil {
		return err
	}
	if err := checkNonNeg("tangential_std", p.TangentialStd); err != nil {
		return err
	}
	if math.IsNaN(p.Rate) || math.IsInf(p.Rate, 0) {
		return fmt.Errorf("key \"rate\": must be finite, got %v", p.Rate)
	}
	return nil
}

// Dim is 2.
func (p *Pinwheel) Dim() int { return 2 }

// Load draws the points.
func (p *Pinwheel) Load() ([]float64, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(p.Seed, 0)
	x := make([]float64, 0, 2*p.N)
	for k, m := range counts(p.N, p.Arms) {
		base := 2 * math.Pi * float64(k) / float64(p.Arms)
		for range m {
			f1 := 1 + p.RadialStd*s.Norm()
			f2 := p.TangentialStd * s.Norm()
			sin, cos := math.Sincos(base + p.Rate*math.Exp(f1))
			x = append(x, 2*(f1*cos+f2*sin), 2*(-f1*sin+f2*cos))
		}
	}
	shuffleRows(&s, x)
	return x, nil
}

var (
	_ Dataset = (*Moons)(nil)
	_ Dataset = (*Circles)(nil)
	_ Dataset = (*Rings)(nil)
	_ Dataset = (*SwissRoll)(nil)
	_ Dataset = (*TwoSpirals)(nil)
	_ Dataset = (*Pinwheel)(nil)
)
