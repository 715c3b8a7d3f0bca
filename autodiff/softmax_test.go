package autodiff

import (
	"math"
	"testing"

	"github.com/goebm/ebm/rng"
)

// softmaxShapes are the (n, m) the log-softmax checks run over: general,
// one row, one column (log-softmax ≡ 0), and a row of 10 classes.
var softmaxShapes = [][2]int{{3, 4}, {1, 5}, {4, 1}, {2, 10}}

// logSoftmaxRef is the log-softmax of the rows of a in float64, from the
// formula with the row maximum subtracted.
func logSoftmaxRef(a []float64, n, m int) []float64 {
	out := make([]float64, n*m)
	for i := range n {
		row := a[i*m : (i+1)*m]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		s := 0.0
		for _, v := range row {
			s += math.Exp(v - mx)
		}
		for j, v := range row {
			out[i*m+j] = v - mx - math.Log(s)
		}
	}
	return out
}

// TestLogSoftmaxValues checks values against the reference formula,
// including logits far beyond exp's range and a −Inf logit (a failure: an
// overflow to NaN, or a wrong normalisation).
func TestLogSoftmaxValues(t *testing.T) {
	g := New()
	a := []float64{1, 2, 3, 1000, 999, -1000, -800, -801, -802, math.Inf(-1), 0, 1}
	got := g.Value(g.LogSoftmax(g.Const(a, 4, 3)))
	want := logSoftmaxRef(a, 4, 3)
	for i := range want {
		if got[i] != want[i] && !near(got[i], want[i], 1e-14) {
			t.Errorf("element %d: %v, want %v", i, got[i], want[i])
		}
	}
	if !math.IsInf(got[9], -1) {
		t.Errorf("log-softmax of a −Inf logit is %v, want −Inf", got[9])
	}
	// The cross-entropy of one-hot targets is the mean of −log p(label)
	// (on the finite rows: 0·(−Inf) is NaN).
	tg := []float64{0, 0, 1, 1, 0, 0, 0, 1, 0}
	ce := g.Value(g.SoftmaxCrossEntropy(g.Const(a[:9], 3, 3), g.Const(tg, 3, 3)))[0]
	wantCE := -(want[2] + want[3] + want[7]) / 3
	if !near(ce, wantCE, 1e-14) {
		t.Errorf("cross-entropy %v, want %v", ce, wantCE)
	}
}

// TestSoftmaxGradients checks the first and second derivatives of
// LogSoftmax and of SoftmaxCrossEntropy (with respect to the logits and to
// the targets) against central differences, and the cross-entropy's
// gradient against its closed form (softmax − t)/n. A failure means a
// wrong derivative of the classifier's loss.
func TestSoftmaxGradients(t *testing.T) {
	type loss struct {
		name string
		f    func(g *Graph, a, tg Node) Node // a scalar of the logits a and targets tg
	}
	losses := []loss{
		{"LogSoftmax", func(g *Graph, a, tg Node) Node { return g.Sum(g.Mul(tg, g.LogSoftmax(a))) }},
		{"SoftmaxCrossEntropy", func(g *Graph, a, tg Node) Node { return g.SoftmaxCrossEntropy(a, tg) }},
		// The squared gradient reaches the second derivatives.
		{"CrossEntropySquaredGrad", func(g *Graph, a, tg Node) Node {
			d := g.Grad([]Node{g.SoftmaxCrossEntropy(a, tg)}, []Node{a}, nil, true)[0]
			return g.Sum(g.Square(d))
		}},
	}
	for li, l := range losses {
		for _, sh := range softmaxShapes {
			n, m := sh[0], sh[1]
			s := rng.New(11, uint64(li))
			a := randAway(&s, n*m, 2)
			tg := make([]float64, n*m) // rows of probabilities
			for i := range n {
				sum := 0.0
				for j := range m {
					tg[i*m+j] = s.Float64() + 0.1
					sum += tg[i*m+j]
				}
				for j := range m {
					tg[i*m+j] /= sum
				}
			}
			value := func() float64 {
				g := New()
				return g.Value(l.f(g, g.Input(a, n, m), g.Input(tg, n, m)))[0]
			}
			g := New()
			an, tn := g.Input(a, n, m), g.Input(tg, n, m)
			grads := vals(g, g.Grad([]Node{l.f(g, an, tn)}, []Node{an, tn}, nil, false))
			for k, x := range [][]float64{a, tg} {
				for j := range x {
					v := x[j]
					x[j] = v + fdStep
					fp := value()
					x[j] = v - fdStep
					fm := value()
					x[j] = v
					if fd := (fp - fm) / (2 * fdStep); !near(grads[k][j], fd, 1e-6) {
						t.Errorf("%s %d×%d: d/d%s[%d]: Grad %.10g, central difference %.10g", l.name, n, m, []string{"logits", "targets"}[k], j, grads[k][j], fd)
					}
				}
			}
			if l.name == "SoftmaxCrossEntropy" {
				ls := logSoftmaxRef(a, n, m)
				for j := range a {
					if want := (math.Exp(ls[j]) - tg[j]) / float64(n); !near(grads[0][j], want, 1e-12) {
						t.Errorf("%d×%d: d/dlogits[%d] = %v, closed form %v", n, m, j, grads[0][j], want)
					}
				}
			}
		}
	}
}

// TestSoftmax32 checks that Graph32 computes the cross-entropy and its
// gradient as Graph does, to single precision, on logits of every sign
// and a large spread (a failure: a float32 overflow or a lost shift).
func TestSoftmax32(t *testing.T) {
	const n, m = 6, 10
	s := rng.New(12, 0)
	a := round32(randAway(&s, n*m, 20))
	tg := make([]float64, n*m)
	for i := range n {
		tg[i*m+s.IntN(m)] = 1
	}
	g64, g32 := New(), New32()
	a64, a32 := g64.Input(a, n, m), g32.Input(toT[float32](a), n, m)
	l64 := g64.SoftmaxCrossEntropy(a64, g64.Const(tg, n, m))
	l32 := g32.SoftmaxCrossEntropy(a32, g32.Const(toT[float32](tg), n, m))
	if err := agree32(toF64(g32.Value(l32)), g64.Value(l64), tol32); err != nil {
		t.Errorf("value: %v", err)
	}
	d64 := g64.Value(g64.Grad([]Node{l64}, []Node{a64}, nil, false)[0])
	d32 := toF64(g32.Value(g32.Grad([]Node{l32}, []Node{a32}, nil, false)[0]))
	if err := agree32(d32, d64, tol32); err != nil {
		t.Errorf("gradient: %v", err)
	}
}

// TestSoftmaxCrossEntropyShape checks that mismatched targets panic with
// the package prefix.
func TestSoftmaxCrossEntropyShape(t *testing.T) {
	defer func() {
		if msg, _ := recover().(string); len(msg) < 10 || msg[:10] != "autodiff: " {
			t.Errorf("recovered %q, want an autodiff panic", msg)
		}
	}()
	g := New()
	g.SoftmaxCrossEntropy(g.Const(make([]float64, 6), 2, 3), g.Const(make([]float64, 6), 3, 2))
}
