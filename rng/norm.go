package rng

import (
	"math"
	mbits "math/bits"
	"unsafe"
)

// The ziggurat covers the right half of f(x) = exp(−x²/2) with zigLayers
// regions of equal area zigV: a base strip (layer 0: the rectangle [0, r]
// × [0, f(r)] plus the tail beyond r, drawn as a rectangle of width
// zigX[0] = zigV/f(r)) and zigLayers−1 rectangles, layer i of width
// zigX[i] between heights f(zigX[i]) and f(zigX[i+1]). A draw picks a layer
// and a signed position v·zigX[i], v uniform on [−1, 1); it is accepted at
// once when |v·zigX[i]| < zigX[i+1] (inside the curve, about 99% of
// draws), and otherwise goes through the wedge or tail test.
const (
	zigLayers = 256
	zigR      = 3.6541528853610088 // start of the tail for 256 layers
)

var (
	zigX [zigLayers + 1]float64 // layer widths, decreasing; zigX[256] = 0
	zigF [zigLayers + 1]float64 // f(zigX[i])
	zigK [zigLayers]uint64      // fast-accept bound on |j|: |j|·2⁻⁵² < zigX[i+1]/zigX[i]
	zigW [zigLayers]float64     // zigX[i]·2⁻⁵²: turns the signed 53-bit j into x
	zigV float64                // area of each layer
)

func init() {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	zigV = zigR*f(zigR) + math.Sqrt(math.Pi/2)*math.Erfc(zigR/math.Sqrt2)
	zigX[0] = zigV / f(zigR)
	zigX[1] = zigR
	for i := 1; i < zigLayers-1; i++ {
		zigX[i+1] = math.Sqrt(-2 * math.Log(zigV/zigX[i]+f(zigX[i])))
	}
	zigX[zigLayers] = 0
	for i := range zigF {
		zigF[i] = f(zigX[i])
	}
	for i := range zigK {
		zigK[i] = uint64(zigX[i+1] / zigX[i] * 0x1p52) // exact below 2⁵³
		zigW[i] = zigX[i] * 0x1p-52
	}
}

// Norm returns a standard normal draw.
func (s *Stream) Norm() float64 {
	for {
		u := s.Uint64()
		i := u & (zigLayers - 1)
		j := int64(u) >> 11 // signed 53 bits from bits 11…63; v = j·2⁻⁵² is uniform on [−1, 1)
		if absBits(j) < zigK[i] {
			return float64(j) * zigW[i]
		}
		if x, ok := s.normSlow(i, float64(j)*0x1p-52); ok {
			return x
		}
	}
}

// FillNorm fills dst with independent standard normal draws: the same
// values as len(dst) calls of Norm, with the stream's state kept in
// registers on the fast path.
func (s *Stream) FillNorm(dst []float64) {
	if s.gamma == 0 {
		s.gamma = defaultGamma
	}
	st, gamma := s.s, s.gamma
	for j := 0; j < len(dst); {
		// Two draws at once while both take the fast path (about 98 % of
		// pairs): independent work that the CPU overlaps.
		if j+1 < len(dst) {
			u0, u1 := mix(st+gamma), mix(st+2*gamma)
			i0, i1 := u0&(zigLayers-1), u1&(zigLayers-1)
			k0, k1 := int64(u0)>>11, int64(u1)>>11
			if absBits(k0) < zigK[i0] && absBits(k1) < zigK[i1] {
				dst[j], dst[j+1] = float64(k0)*zigW[i0], float64(k1)*zigW[i1]
				st += 2 * gamma
				j += 2
				continue
			}
		}
		// Otherwise one draw as Norm makes it (the slow path may consume
		// more numbers), so the values are always those of len(dst) calls
		// of Norm.
		for {
			st += gamma
			u := mix(st)
			i := u & (zigLayers - 1)
			k := int64(u) >> 11
			if absBits(k) < zigK[i] {
				dst[j] = float64(k) * zigW[i]
				break
			}
			s.s = st
			x, ok := s.normSlow(i, float64(k)*0x1p-52)
			st = s.s
			if ok {
				dst[j] = x
				break
			}
		}
		j++
	}
	s.s = st
}

// fillNormOffFast is FillNorm for a stream whose next draw is known to be
// off the ziggurat's fast path (FillNormRows's vector kernel stopped the
// stream there): that draw is Norm's, one at a time, instead of FillNorm's
// first try of it in a pair with the next. The same values and state as
// FillNorm(dst).
func (s *Stream) fillNormOffFast(dst []float64) {
	if len(dst) == 0 {
		return
	}
	dst[0] = s.Norm()
	s.FillNorm(dst[1:])
}

// absBits returns |j| as an unsigned integer, without a branch.
func absBits(j int64) uint64 {
	m := j >> 63
	return uint64((j ^ m) - m)
}

// normSlow finishes a draw outside the fast region: the tail beyond zigR
// for the base strip (Marsaglia's method), else the wedge test against f.
// ok is false when the point is rejected and the caller must start over.
func (s *Stream) normSlow(i uint64, v float64) (x float64, ok bool) {
	if i == 0 {
		for {
			x := -math.Log(1-s.Float64()) / zigR // 1 − U is in (0, 1]
			y := -math.Log(1 - s.Float64())
			if 2*y >= x*x {
				return math.Copysign(zigR+x, v), true
			}
		}
	}
	x = v * zigX[i]
	y := zigF[i] + s.Float64()*(zigF[i+1]-zigF[i])
	return x, zigBelow(i, x, y)
}

// zigBelow reports whether y < math.Exp(−x²/2), for a point of layer i ≥ 1
// (zigX[i+1] ≤ |x| ≤ zigX[i]), mostly without the exponential: on a layer
// where f is convex (|x| ≥ 1) it lies between the tangent at the layer's
// middle and the chord, and where it is concave the other way round; only
// a y within the layer's slack of the band between them needs math.Exp.
// The slack (10⁻¹² of the layer's top) is far wider than the rounding of
// the bounds and of math.Exp, so the answer is always that of the
// comparison itself.
//
// The bounds are taken as the smaller and the larger of the two lines
// (tangent ≤ f ≤ chord where f is convex, the other way round where
// concave), and a layer of neither kind has an infinite slack, so the
// test has a single branch, taken for almost every point: the wedge
// points come in random order, and branches on their outcome would be
// mispredicted half the time.
func zigBelow(i uint64, x, y float64) bool {
	b := &zigBand[i]
	ax := math.Abs(x)
	chord := zigF[i] + b.chord*(zigX[i]-ax)
	tan := b.ft + b.slope*(ax-b.t)
	below := y < min(tan, chord)-b.slack
	above := y > max(tan, chord)+b.slack
	if below != above { // settled by the bounds
		return below
	}
	return y < math.Exp(-0.5*x*x)
}

// zigBand holds per layer the two lines that bound f on it: the chord's
// slope (per unit of zigX[i] − |x|), and the tangent at t, the layer's
// middle, with value ft and slope −t·ft. kind is 1 where f is convex on
// the layer, −1 where concave, 0 where neither (the layer holding x = 1,
// and layer 0: there the slack is +Inf, so the bounds settle nothing).
var zigBand [zigLayers]struct {
	kind                       int
	chord, t, ft, slope, slack float64
}

func init() {
	f := func(x float64) float64 { return math.Exp(-0.5 * x * x) }
	for i := 1; i < zigLayers; i++ {
		a, b := zigX[i+1], zigX[i]
		z := &zigBand[i]
		switch {
		case a >= 1:
			z.kind = 1
		case b <= 1:
			z.kind = -1
		default:
			z.slack = math.Inf(1)
			continue
		}
		z.chord = (zigF[i+1] - zigF[i]) / (b - a)
		z.t = 0.5 * (a + b)
		z.ft = f(z.t)
		z.slope = -z.t * z.ft
		z.slack = 1e-12 * zigF[i+1]
	}
}

// FillNormRows fills row i of dst, the d values from i·d on, from
// streams[i], for every stream: the same values, and the same states of the
// streams after, as streams[i].FillNorm(dst[i*d : (i+1)*d]) for each i in
// turn. Where the simd implementation in use is avx512, the streams are
// drawn from eight at a time, one value from each per round, in vector registers
// (norm_amd64.s): a stream keeps the draws up to its first one off the
// ziggurat's fast path, and finishes its row from there with FillNorm. It
// panics unless len(dst) = len(streams)·d.
func FillNormRows(streams []Stream, dst []float64, d int) {
	n := len(streams)
	if d < 0 || len(dst) != n*d {
		panic("rng: FillNormRows: dst must hold len(streams)·d values")
	}
	i := 0
	if d > 0 && d < 256 && useVector() {
		var cnt [rowsChunk]uint8 // fast-path draws per stream
		var slow [rowsChunk / 64]uint64
		for i+8 <= n {
			m := min(rowsChunk, (n-i)&^7)
			st := streams[i : i+m]
			rows := dst[i*d : (i+m)*d]
			slow = [rowsChunk / 64]uint64{}
			fillNormRows8(&st[0], &rows[0], &cnt[0], (*uint8)(unsafe.Pointer(&slow[0])), d, m/8)
			// Only the few streams that went off the fast path (about 3 %
			// for d = 2): their set bits, rather than a test per stream.
			for w, bits := range slow {
				for ; bits != 0; bits &= bits - 1 {
					k := 64*w + mbits.TrailingZeros64(bits)
					st[k].fillNormOffFast(rows[k*d+int(cnt[k]) : (k+1)*d])
				}
			}
			i += m
		}
	}
	for ; i < n; i++ {
		streams[i].FillNorm(dst[i*d : (i+1)*d])
	}
}

// rowsChunk is the number of streams FillNormRows hands the vector kernel
// at once.
const rowsChunk = 256
