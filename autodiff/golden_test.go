package autodiff

import (
	"hash/fnv"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/goebm/ebm/rng"
	"github.com/goebm/ebm/simd"
)

// float64Golden holds the digests of TestFloat64Golden's values computed
// by the float64-only Graph before the element type became generic (commit
// 4728e68), by GOARCH/simd implementation (the kernels' rounding differs
// between implementations): the generic Graph must give the same bits. A
// deliberate change of simd's float64 kernels changes them too; record the
// new digests (go test -run Float64Golden -v prints them) only then.
var float64Golden = map[string]uint64{
	"amd64/generic": 0x8ec3ecd9e7dcf9b9,
	"amd64/avx2":    0xae2ddfa2182e3cf5,
	"amd64/avx512":  0xae2ddfa2182e3cf5,
}

// TestFloat64Golden hashes the bits of many float64 results — every op's
// value and its gradients of orders one and two, every activation's
// derivatives of orders 0 to 6 at ordinary and extreme points, whole
// score-matching steps with 1 and 2 workers, Hessian traces and their
// parameter gradients — and compares the digest with the one the
// float64-only code gave. A failure: float64 arithmetic changed order or
// precision somewhere (the shipped training configs would no longer
// reproduce byte for byte). With -v it prints the digest.
func TestFloat64Golden(t *testing.T) {
	orig := simd.Chosen()
	defer simd.Use(orig)
	checked := 0
	for _, name := range simd.Available() {
		key := runtime.GOARCH + "/" + name
		if err := simd.Use(name); err != nil {
			t.Fatal(err)
		}
		got := float64Digest()
		t.Logf("%s: digest %#x", key, got)
		want, ok := float64Golden[key]
		if !ok {
			continue
		}
		checked++
		if got != want {
			t.Errorf("%s: float64 digest %#x, want %#x (the float64-only code's)", key, got, want)
		}
	}
	if checked == 0 {
		t.Skipf("no digest recorded for %s with %v", runtime.GOARCH, simd.Available())
	}
}

// float64Digest returns the FNV-1a hash of the bits of the values
// TestFloat64Golden covers.
func float64Digest() uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(vs []float64) {
		for _, v := range vs {
			u := math.Float64bits(v)
			for i := range b {
				b[i] = byte(u >> (8 * i))
			}
			h.Write(b[:])
		}
	}
	// Every op: value, gradient (createGraph), and the gradient of the
	// sum of that gradient weighted by the values (second order).
	for ci, c := range opCases {
		if strings.HasPrefix(c.name, "Act/leaky_relu/") { // added after the hashes were recorded
			continue
		}
		for _, dims := range edgeShapes {
			n, k, m := dims[0], dims[1], dims[2]
			s := rng.New(70, uint64(ci))
			g := New()
			shapes := c.shapes(n, k, m)
			in := make([]Node, len(shapes))
			for i, sh := range shapes {
				in[i] = g.Input(randAway(&s, sh[0]*sh[1], 1), sh[0], sh[1])
			}
			out := c.build(g, in)
			put(g.Value(out))
			gs := g.Grad([]Node{out}, in, nil, true)
			var tot Node
			for i, gi := range gs {
				put(g.Value(gi))
				d := g.Sum(g.Mul(gi, g.Square(in[i])))
				if tot == 0 {
					tot = d
				} else {
					tot = g.Add(tot, d)
				}
			}
			for _, gi := range g.Grad([]Node{tot}, in, nil, false) {
				put(g.Value(gi))
			}
		}
	}
	// Every activation and order.
	// (The digests were recorded with a literal -0.0 among these points,
	// which in Go is +0: hence 0 twice, and no negative zero.)
	pts := append(append([]float64(nil), actPoints...), -800, -50, 0, 0, 50, 800)
	for f := Activation(0); f < LeakyReLU; f++ { // the activations the hashes were recorded with
		for k := 0; k <= 6; k++ {
			put(actAt(f, k, pts))
		}
	}
	// Whole steps, serial and split, and higher orders of small nets.
	net := newTestNet([]int{3, 48, 40, 1}, SiLU, 31)
	const n = 400
	s := rng.New(71, 0)
	x, target := randAway(&s, n*3, 1), randAway(&s, n*3, 1)
	for _, f := range []Activation{SiLU, Softplus, Tanh, Gaussian} {
		net.f = f
		for _, w := range []int{1, 2} {
			for _, affine := range []bool{false, true} {
				net.affine = affine
				g := New()
				g.SetWorkers(w)
				loss, ps := dsmLoss(g, net, x, target, n)
				out := make([]float64, len(net.params))
				g.Flatten(out, g.Grad([]Node{loss}, ps, nil, false))
				put(g.Value(loss))
				put(out)
			}
		}
	}
	for _, net := range smoothNets() {
		d, n := net.dims[0], 5
		s := rng.New(72, 0)
		x := randAway(&s, n*d, 1)
		g := New()
		xn := g.Input(x, n, d)
		e, ps := net.build(g, xn)
		tr := hessTrace(g, e, xn, n, d)
		put(g.Value(tr))
		dth := make([]float64, len(net.params))
		g.Flatten(dth, g.Grad([]Node{g.Sum(tr)}, ps, nil, false))
		put(dth)
	}
	return h.Sum64()
}
