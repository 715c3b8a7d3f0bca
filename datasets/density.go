package datasets

import (
	"fmt"
	"math"

	"github.com/goebm/ebm/rng"
)

// unit8 holds the directions of the eight Gaussians, at the angles kπ/4,
// written exactly (cos(π/2) would give 6e-17 rather than 0).
var unit8 = [8][2]float64{
	{1, 0}, {math.Sqrt2 / 2, math.Sqrt2 / 2}, {0, 1}, {-math.Sqrt2 / 2, math.Sqrt2 / 2},
	{-1, 0}, {-math.Sqrt2 / 2, -math.Sqrt2 / 2}, {0, -1}, {math.Sqrt2 / 2, -math.Sqrt2 / 2},
}

// EightGaussians is an equal mixture of eight isotropic Gaussians whose
// means lie on a circle at the angles kπ/4. With the defaults it is
// FFJORD's 8gaussians: means at radius 4/√2 = 2√2 ≈ 2.828 and standard
// deviation 0.5/√2 = √2/4 ≈ 0.354 (FFJORD draws at radius 4 with standard
// deviation 0.5 and divides by 1.414). The component of each point is drawn
// independently, so the counts per component are binomial. The density is
// known exactly (Density).
type EightGaussians struct {
	N      int     `toml:"n" doc:"number of points, 1 to 100000000"`
	Radius float64 `toml:"radius" doc:"radius of the circle of the component means (>= 0; default 2√2)"`
	Std    float64 `toml:"std" doc:"standard deviation of each component, per coordinate (> 0; default √2/4)"`
	Seed   uint64  `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// NewEightGaussians returns the set with its defaults: n 10000, radius 2√2,
// std √2/4, seed 0.
func NewEightGaussians() *EightGaussians {
	return &EightGaussians{N: defaultN, Radius: 2 * math.Sqrt2, Std: math.Sqrt2 / 4}
}

// Description is the one-line summary shown by `ebmrun list`.
func (g *EightGaussians) Description() string {
	return "eight Gaussians on a circle of radius 2√2 (FFJORD's 8gaussians), exact density known"
}

// Init validates the keys.
func (g *EightGaussians) Validate() error {
	if err := checkN(g.N); err != nil {
		return err
	}
	if err := checkNonNeg("radius", g.Radius); err != nil {
		return err
	}
	if !(g.Std > 0) || math.IsInf(g.Std, 1) {
		return fmt.Errorf("key \"std\": must be finite and > 0 (point masses have no density), got %v", g.Std)
	}
	return nil
}

// Dim is 2.
func (g *EightGaussians) Dim() int { return 2 }

// Load draws the points.
func (g *EightGaussians) Load() ([]float64, error) {
	if err := g.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(g.Seed, 0)
	x := make([]float64, 2*g.N)
	for i := range g.N {
		u := unit8[s.IntN(8)]
		x[2*i] = g.Radius*u[0] + g.Std*s.Norm()
		x[2*i+1] = g.Radius*u[1] + g.Std*s.Norm()
	}
	return x, nil
}

// LogDensity returns log p(x) = log (1/8) Σ_k N(x; μ_k, std²·I), computed
// with a log-sum-exp so that it stays finite far from every mean. It panics
// unless len(x) == 2.
func (g *EightGaussians) LogDensity(x []float64) float64 {
	if len(x) != 2 {
		panic(fmt.Sprintf("datasets: 8gaussians LogDensity of a point of length %d, want 2", len(x)))
	}
	var q [8]float64
	m := math.Inf(-1)
	for k, u := range unit8 {
		d0, d1 := x[0]-g.Radius*u[0], x[1]-g.Radius*u[1]
		q[k] = -(d0*d0 + d1*d1) / (2 * g.Std * g.Std)
		m = max(m, q[k])
	}
	sum := 0.0
	for _, v := range q {
		sum += math.Exp(v - m)
	}
	return m + math.Log(sum/8) - math.Log(2*math.Pi*g.Std*g.Std)
}

// Checkerboard is the uniform distribution on the eight black squares of a
// 4×4 board covering [−4, 4)²: FFJORD's checkerboard. The squares have side
// 2; the square [2i, 2i+2)×[2j, 2j+2), i, j ∈ {−2, …, 1}, is black when
// i + j is even (so [0, 2)² is black). The density is 1/32 on the black
// squares and 0 elsewhere (Density); the set is symmetric about the
// origin. It has no noise key: noise would blur the exact density.
type Checkerboard struct {
	N    int    `toml:"n" doc:"number of points, 1 to 100000000"`
	Seed uint64 `toml:"seed" doc:"random seed: the same seed gives the same points"`
}

// Description is the one-line summary shown by `ebmrun list`.
func (c *Checkerboard) Description() string {
	return "uniform on the 8 black squares of a checkerboard on [−4, 4]² (FFJORD's checkerboard), exact density known"
}

// Init validates the keys.
func (c *Checkerboard) Validate() error { return checkN(c.N) }

// Dim is 2.
func (c *Checkerboard) Dim() int { return 2 }

// blackSquares lists the lower-left corners (i, j) of the black squares in
// units of the side 2.
var blackSquares = [8][2]int{{-2, -2}, {-2, 0}, {-1, -1}, {-1, 1}, {0, -2}, {0, 0}, {1, -1}, {1, 1}}

// Load draws the points.
func (c *Checkerboard) Load() ([]float64, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	s := rng.New(c.Seed, 0)
	x := make([]float64, 2*c.N)
	for i := range c.N {
		sq := blackSquares[s.IntN(8)]
		// Offsets are multiples of 2⁻⁵¹ in [0, 2), so 2i + offset is exact
		// and a point never rounds onto the edge of the next square.
		x[2*i] = 2*float64(sq[0]) + float64(s.Uint64()>>12)*0x1p-51
		x[2*i+1] = 2*float64(sq[1]) + float64(s.Uint64()>>12)*0x1p-51
	}
	return x, nil
}

// LogDensity returns log p(x): −log 32 on the black squares (each
// half-open, [2i, 2i+2)×[2j, 2j+2)) and −Inf elsewhere. It panics unless
// len(x) == 2.
func (c *Checkerboard) LogDensity(x []float64) float64 {
	if len(x) != 2 {
		panic(fmt.Sprintf("datasets: checkerboard LogDensity of a point of length %d, want 2", len(x)))
	}
	if !(x[0] >= -4 && x[0] < 4 && x[1] >= -4 && x[1] < 4) {
		return math.Inf(-1)
	}
	i, j := int(math.Floor(x[0]/2)), int(math.Floor(x[1]/2))
	if (i+j)%2 != 0 {
		return math.Inf(-1)
	}
	return -math.Log(32)
}

var (
	_ Dataset = (*EightGaussians)(nil)
	_ Density = (*EightGaussians)(nil)
	_ Dataset = (*Checkerboard)(nil)
	_ Density = (*Checkerboard)(nil)
)
