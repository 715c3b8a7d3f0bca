package autodiff

import (
	"fmt"
	"hash/fnv"
	"math"
	"syscall"
	"testing"

	"github.com/goebm/ebm/rng"
)

// gradX records the forward pass of the convolutional energy of st and
// its gradient with respect to the input, with createGraph (the part of a
// DSM step before the loss), and returns ∇ₓE's values.
func (st *convStep[T]) gradX() []T {
	g := st.g
	g.Reset()
	d := st.layers[0].In().Size()
	xn := g.Input(st.x, st.n, d)
	h := xn
	for i, l := range st.layers {
		w := g.Input(st.params[2*i], l.OutC, l.KernelSize())
		b := g.Input(st.params[2*i+1], 1, l.OutC)
		h = g.Act(g.Conv2D(h, w, b, l), SiLU)
	}
	k := len(st.layers)
	v := g.Input(st.params[2*k], st.dense, 1)
	c := g.Input(st.params[2*k+1], 1, 1)
	st.outs[0], st.ins[0] = g.Affine(h, v, c), xn
	return g.Value(g.Grad(st.outs, st.ins, nil, true)[0])
}

// BenchmarkConvGradX is the forward pass and ∇ₓE (with createGraph) of the
// default convolutional energy on a batch of 128.
func BenchmarkConvGradX(b *testing.B) {
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("float64/workers=%d", workers), func(b *testing.B) {
			s := newConvStep[float64](defaultConvNet, 128, workers)
			s.gradX()
			cpuLoop(b, func() { s.gradX() })
		})
		b.Run(fmt.Sprintf("float32/workers=%d", workers), func(b *testing.B) {
			s := newConvStep[float32](defaultConvNet, 128, workers)
			s.gradX()
			cpuLoop(b, func() { s.gradX() })
		})
	}
}

// BenchmarkConvOps times Conv2D, ConvTranspose2D and ConvWeightGrad of
// each layer of the default convolutional energy on a batch of 128, in
// float32, on 1 and 2 workers.
func BenchmarkConvOps(b *testing.B) {
	const n = 128
	for li, s := range defaultConvNet {
		r := rng.New(1, 0)
		x := toT[float32](randAway(&r, n*s.In().Size(), 1))
		y := toT[float32](randAway(&r, n*s.Out().Size(), 1))
		w := toT[float32](randAway(&r, s.OutC*s.KernelSize(), 1))
		for _, workers := range []int{1, 2} {
			g := NewOf[float32]()
			g.SetWorkers(workers)
			b.Run(fmt.Sprintf("L%d/conv/w%d", li+1, workers), func(b *testing.B) {
				cpuLoop(b, func() {
					g.Reset()
					g.Conv2D(g.Input(x, n, s.In().Size()), g.Input(w, s.OutC, s.KernelSize()), 0, s)
				})
			})
			b.Run(fmt.Sprintf("L%d/convT/w%d", li+1, workers), func(b *testing.B) {
				cpuLoop(b, func() {
					g.Reset()
					g.ConvTranspose2D(g.Input(y, n, s.Out().Size()), g.Input(w, s.OutC, s.KernelSize()), s)
				})
			})
			b.Run(fmt.Sprintf("L%d/convW/w%d", li+1, workers), func(b *testing.B) {
				cpuLoop(b, func() {
					g.Reset()
					g.ConvWeightGrad(g.Input(x, n, s.In().Size()), g.Input(y, n, s.Out().Size()), s)
				})
			})
		}
	}
}

// hashBits returns an FNV-1a hash of the bits of v.
func hashBits[T Float](v []T) uint64 {
	h := fnv.New64a()
	var b [8]byte
	for _, x := range v {
		u := math.Float64bits(float64(x))
		for i := range b {
			b[i] = byte(u >> (8 * i))
		}
		h.Write(b[:])
	}
	return h.Sum64()
}

// TestConvStepHash logs hashes of the bits of a default convnet DSM step
// (loss, ∇ₓE and the parameter gradients), for comparing the bits of two
// versions of the convolution code on one machine (go test -v -run
// ConvStepHash), and checks that they do not depend on the workers.
func TestConvStepHash(t *testing.T) {
	const n = 16
	var first string
	for _, workers := range []int{1, 2} {
		s64 := newConvStep[float64](defaultConvNet, n, workers)
		gx64 := hashBits(s64.gradX())
		l64 := s64.step()
		s32 := newConvStep[float32](defaultConvNet, n, workers)
		gx32 := hashBits(s32.gradX())
		l32 := s32.step()
		got := fmt.Sprintf("float64 ∇ₓE %016x loss %v grad %016x; float32 ∇ₓE %016x loss %v grad %016x",
			gx64, l64, hashBits(s64.grad), gx32, l32, hashBits(s32.grad))
		t.Logf("workers %d: %s", workers, got)
		if workers == 1 {
			first = got
		} else if got != first {
			t.Errorf("workers %d: the bits differ from those with 1 worker", workers)
		}
	}
}

// im2colRef and col2imRef are the first, plain versions of im2col and
// col2im, kept to check that the faster ones give the same bits.

// im2colRef writes the (InC·K·K)×(OutH·OutW) matrix of image x's patches into
// the rows of col, ld apart: row (c, kh, kw), column (oh, ow) holds x[c,
// oh·S − P + kh, ow·S − P + kw], or 0 in the padding.
func im2colRef[T Float](col []T, ld int, x []T, s ConvShape) {
	ho, wo := s.OutH(), s.OutW()
	r := 0
	for c := 0; c < s.InC; c++ {
		xc := x[c*s.H*s.W : (c+1)*s.H*s.W]
		for kh := 0; kh < s.K; kh++ {
			hlo, hhi := validRange(ho, s.Stride, kh-s.Pad, s.H)
			for kw := 0; kw < s.K; kw++ {
				dst := col[r*ld : r*ld+ho*wo]
				r++
				wlo, whi := validRange(wo, s.Stride, kw-s.Pad, s.W)
				clear(dst[:hlo*wo])
				clear(dst[hhi*wo:])
				for oh := hlo; oh < hhi; oh++ {
					d := dst[oh*wo : (oh+1)*wo]
					xr := xc[(oh*s.Stride-s.Pad+kh)*s.W : (oh*s.Stride-s.Pad+kh+1)*s.W]
					clear(d[:wlo])
					clear(d[whi:])
					if s.Stride == 1 {
						copy(d[wlo:whi], xr[wlo+kw-s.Pad:])
						continue
					}
					iw := wlo*s.Stride - s.Pad + kw
					for ow := wlo; ow < whi; ow++ {
						d[ow] = xr[iw]
						iw += s.Stride
					}
				}
			}
		}
	}
}

// col2imRef sets x to the sum of the entries of col (rows ld apart) at the
// pixels im2col reads them from: the adjoint of im2col.
func col2imRef[T Float](x, col []T, ld int, s ConvShape) {
	ho, wo := s.OutH(), s.OutW()
	clear(x)
	r := 0
	for c := 0; c < s.InC; c++ {
		xc := x[c*s.H*s.W : (c+1)*s.H*s.W]
		for kh := 0; kh < s.K; kh++ {
			hlo, hhi := validRange(ho, s.Stride, kh-s.Pad, s.H)
			for kw := 0; kw < s.K; kw++ {
				src := col[r*ld : r*ld+ho*wo]
				r++
				wlo, whi := validRange(wo, s.Stride, kw-s.Pad, s.W)
				for oh := hlo; oh < hhi; oh++ {
					d := src[oh*wo : (oh+1)*wo]
					xr := xc[(oh*s.Stride-s.Pad+kh)*s.W : (oh*s.Stride-s.Pad+kh+1)*s.W]
					iw := wlo*s.Stride - s.Pad + kw
					if s.Stride == 1 {
						xr, d := xr[iw:iw+whi-wlo], d[wlo:whi]
						for j := range xr {
							xr[j] += d[j]
						}
						continue
					}
					for ow := wlo; ow < whi; ow++ {
						xr[iw] += d[ow]
						iw += s.Stride
					}
				}
			}
		}
	}
}

// TestIm2colBits checks that im2col and col2im give the bits of their
// plain versions on many geometries.
func TestIm2colBits(t *testing.T) {
	r := rng.New(91, 0)
	for _, k := range []int{1, 2, 3, 4} {
		for _, stride := range []int{1, 2, 3} {
			for _, pad := range []int{0, 1, 2} {
				for _, hw := range [][2]int{{1, 1}, {2, 3}, {5, 5}, {7, 6}, {9, 12}} {
					s := ConvShape{InC: 3, H: hw[0], W: hw[1], OutC: 2, K: k, Stride: stride, Pad: pad}
					if s.H+2*pad < k || s.W+2*pad < k {
						continue
					}
					const n, i = 3, 1 // image i of a batch of n
					hwo := s.OutH() * s.OutW()
					ld := n * hwo
					x := randAway(&r, s.In().Size(), 1)
					got, want := randAway(&r, s.KernelSize()*ld, 1), make([]float64, s.KernelSize()*ld)
					copy(want, got)
					var cv convState[float64]
					xp := randAway(&r, s.InC*(s.H+2*pad)*(s.W+2*pad), 1) // stale scratch
					im2col(got[i*hwo:], ld, x, s, cv.convOffsets(s), xp)
					im2colRef(want[i*hwo:], ld, x, s)
					if hashBits(got) != hashBits(want) {
						t.Errorf("im2col %+v: bits differ", s)
					}
					col := randAway(&r, s.KernelSize()*ld, 1)
					gx, wx := randAway(&r, s.In().Size(), 1), make([]float64, s.In().Size())
					col2im(gx, col[i*hwo:], ld, s, cv.convOffsets(s), xp)
					col2imRef(wx, col[i*hwo:], ld, s)
					if hashBits(gx) != hashBits(wx) {
						t.Errorf("col2im %+v: bits differ", s)
					}
				}
			}
		}
	}
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// cpuLoop runs f in b's loop and reports, besides the wall-clock time and
// the allocations, the process's CPU time per op (cpu-ns/op), which on a
// busy machine varies much less than the wall-clock time.
func cpuLoop(b *testing.B, f func()) {
	b.ReportAllocs()
	c0, n := cpuTime(), 0
	for b.Loop() {
		f()
		n++
	}
	if n > 0 {
		b.ReportMetric(float64(cpuTime()-c0)/float64(n), "cpu-ns/op")
	}
}

// TestConvSavedCol checks the reuse of the im2col matrix that Conv2D keeps
// for a computed node by a later ConvWeightGrad of that node, with other
// ops in between, and that nothing stale is reused after a Reset.
func TestConvSavedCol(t *testing.T) {
	s := convShapes[1]
	const n = 2
	r := rng.New(92, 0)
	x1, x2 := randAway(&r, n*s.In().Size(), 1), randAway(&r, n*s.In().Size(), 1)
	w := randAway(&r, s.OutC*s.KernelSize(), 1)
	y := randAway(&r, n*s.Out().Size(), 1)
	want := func(x []float64) []float64 {
		g := New()
		return g.Value(g.ConvWeightGrad(g.Input(x, n, s.In().Size()), g.Input(y, n, s.Out().Size()), s))
	}
	g := New()
	for _, tc := range []struct {
		x    []float64
		conv bool
	}{{x1, true}, {x2, false}, {x2, true}, {x1, false}} {
		g.Reset()
		h := g.Scale(g.Input(tc.x, n, s.In().Size()), 1) // a computed node
		if tc.conv {
			g.Conv2D(h, g.Input(w, s.OutC, s.KernelSize()), 0, s)
			g.Sum(h) // an op in between
		}
		got := g.Value(g.ConvWeightGrad(h, g.Input(y, n, s.Out().Size()), s))
		if hashBits(got) != hashBits(want(tc.x)) {
			t.Errorf("conv %v: ConvWeightGrad differs from a fresh graph's", tc.conv)
		}
	}
}
