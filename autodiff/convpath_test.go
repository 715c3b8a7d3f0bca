package autodiff

import (
	"fmt"
	"math"
	"testing"

	"github.com/goebm/ebm/rng"
)

// withConvPaths runs f with the convolutions forced onto the NHWC path
// (every geometry) or the NCHW one, and with chunks of one or a few images
// (so that products, col2im and ConvWeightGrad's partial sums span several
// chunks), restoring the defaults after.
func withConvPaths(t *testing.T, f func(t *testing.T)) {
	minC, bytes := nhwcMinC, convChunkBytes
	defer func() { nhwcMinC, convChunkBytes = minC, bytes }()
	for _, nhwc := range []bool{false, true} {
		for _, small := range []bool{false, true} {
			nhwcMinC, convChunkBytes = 1<<30, bytes
			if nhwc {
				nhwcMinC = 1
			}
			if small {
				convChunkBytes = 1
			}
			t.Run(fmt.Sprintf("nhwc=%v/smallchunks=%v", nhwc, small), f)
		}
	}
}

// TestConvPaths checks Conv2D, ConvTranspose2D and ConvWeightGrad on both
// paths and chunk sizes against the definitions: the naive convolution,
// and its adjoints through ⟨Conv2D(x, w), y⟩ = ⟨x, ConvTranspose2D(y, w)⟩
// = ⟨w, ConvWeightGrad(x, y)⟩ entry by entry, on geometries with few and
// many channels, with and without padding, on one and several workers.
func TestConvPaths(t *testing.T) {
	shapes := append([]ConvShape{
		{InC: 9, H: 6, W: 7, OutC: 5, K: 3, Stride: 2, Pad: 1},
		{InC: 8, H: 5, W: 5, OutC: 16, K: 2, Stride: 1, Pad: 0},
	}, convShapes...)
	withConvPaths(t, func(t *testing.T) {
		for si, s := range shapes {
			const n = 5
			r := rng.New(93, uint64(si))
			x := randAway(&r, n*s.In().Size(), 1)
			w := randAway(&r, s.OutC*s.KernelSize(), 1)
			b := randAway(&r, s.OutC, 1)
			y := randAway(&r, n*s.Out().Size(), 1)
			want := naiveConv(x, w, b, s, n)
			wantT := make([]float64, len(x))
			for j := range x {
				e := make([]float64, len(x))
				e[j] = 1
				wantT[j] = dot64(naiveConv(e, w, nil, s, n), y)
			}
			wantW := make([]float64, len(w))
			for j := range w {
				e := make([]float64, len(w))
				e[j] = 1
				wantW[j] = dot64(naiveConv(x, e, nil, s, n), y)
			}
			for _, workers := range []int{1, 3} {
				g := New()
				g.SetWorkers(workers)
				xn, wn := g.Input(x, n, s.In().Size()), g.Input(w, s.OutC, s.KernelSize())
				yn := g.Input(y, n, s.Out().Size())
				if err := closeAll(g.Value(g.Conv2D(xn, wn, g.Input(b, 1, s.OutC), s)), want, 1e-12); err != nil {
					t.Errorf("%+v workers %d: Conv2D: %v", s, workers, err)
				}
				if err := closeAll(g.Value(g.ConvTranspose2D(yn, wn, s)), wantT, 1e-12); err != nil {
					t.Errorf("%+v workers %d: ConvTranspose2D: %v", s, workers, err)
				}
				if err := closeAll(g.Value(g.ConvWeightGrad(xn, yn, s)), wantW, 1e-12); err != nil {
					t.Errorf("%+v workers %d: ConvWeightGrad: %v", s, workers, err)
				}
			}
		}
	})
}

// TestConvPathsDerivatives runs the finite-difference, second-order,
// float32, PyTorch, worker and DSM-step tests of the convolutions on both
// paths and with small chunks.
func TestConvPathsDerivatives(t *testing.T) {
	withConvPaths(t, func(t *testing.T) {
		t.Run("GradFD", TestConvGradFD)
		t.Run("HVP", TestConvHVP)
		t.Run("Float32", TestConvFloat32)
		t.Run("Torch", TestConvTorch)
		t.Run("Workers", TestConvWorkers)
		t.Run("StepHash", TestConvStepHash)
	})
}

// TestConvKernels32: in float32, the unrolling and folding back on simd's
// strided and run kernels (convKernels) give the loops' bits for Conv2D,
// ConvTranspose2D and ConvWeightGrad on both paths, on geometries of
// strides 1 to 3 with and without padding, rows longer than a vector
// among them.
func TestConvKernels32(t *testing.T) {
	defer func(on bool) { convKernels = on }(convKernels)
	shapes := append([]ConvShape{
		{InC: 1, H: 28, W: 28, OutC: 16, K: 3, Stride: 1, Pad: 1},
		{InC: 1, H: 28, W: 28, OutC: 32, K: 3, Stride: 2, Pad: 1},
		{InC: 16, H: 28, W: 28, OutC: 8, K: 3, Stride: 2, Pad: 1},
		{InC: 9, H: 6, W: 7, OutC: 5, K: 3, Stride: 2, Pad: 1},
	}, convShapes...)
	withConvPaths(t, func(t *testing.T) {
		for si, s := range shapes {
			const n = 3
			r := rng.New(94, uint64(si))
			x := toT[float32](randAway(&r, n*s.In().Size(), 1))
			w := toT[float32](randAway(&r, s.OutC*s.KernelSize(), 1))
			b := toT[float32](randAway(&r, s.OutC, 1))
			y := toT[float32](randAway(&r, n*s.Out().Size(), 1))
			var got [2][3][]float32
			for i, on := range []bool{false, true} {
				convKernels = on
				g := New32()
				g.SetWorkers(2)
				xn, wn := g.Input(x, n, s.In().Size()), g.Input(w, s.OutC, s.KernelSize())
				yn := g.Input(y, n, s.Out().Size())
				got[i][0] = g.Value(g.Conv2D(xn, wn, g.Input(b, 1, s.OutC), s))
				got[i][1] = g.Value(g.ConvTranspose2D(yn, wn, s))
				got[i][2] = g.Value(g.ConvWeightGrad(xn, yn, s))
			}
			for k, op := range []string{"Conv2D", "ConvTranspose2D", "ConvWeightGrad"} {
				for j := range got[0][k] {
					if math.Float32bits(got[0][k][j]) != math.Float32bits(got[1][k][j]) {
						t.Fatalf("%+v %s: value %d: %v with the kernels, %v with the loops", s, op, j, got[1][k][j], got[0][k][j])
					}
				}
			}
		}
	})
}
