package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestStrided32: every table's gather and scatter-add give the generic
// loops' bits, for rows shorter and longer than a vector, strides 1 to 3
// and planes whose last strided value is their last value (so a kernel
// reading past it would fault or be caught by the guard values); values
// of the plane off the strided places must stay as they were.
func TestStrided32(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for name, tb := range tables32 {
		for _, s := range []int{1, 2, 3} {
			for _, ho := range []int{1, 2, 5} {
				for _, wo := range []int{1, 7, 14, 16, 17, 28, 33} {
					ld := wo*s + r.IntN(3)
					if s == 1 && r.IntN(2) == 0 {
						ld = wo // rows back to back
					}
					n := (ho-1)*s*ld + (wo-1)*s + 1
					what := fmt.Sprintf("%s s=%d %d×%d ld=%d", name, s, ho, wo, ld)
					const guard = 4
					buf := rand32(r, n+2*guard)
					negZeros(buf) // a kernel that adds 0 off the strided places turns them into +0
					plane := buf[guard : guard+n : guard+n]
					dense := rand32(r, ho*wo)
					saved := append([]float32(nil), buf...)

					got, want := make([]float32, ho*wo), make([]float32, ho*wo)
					withTable32(tb, func() { GatherStrided32(got, plane, ld, ho, wo, s) })
					gatherStrided32(want, plane, ld, ho, wo, s)
					sameBits32(t, what+" gather", got, want)
					sameBits32(t, what+" gather (source)", buf, saved)

					wantPlane := append([]float32(nil), buf...)
					scatterAddStrided32(wantPlane[guard:guard+n], dense, ld, ho, wo, s)
					withTable32(tb, func() { ScatterAddStrided32(plane, dense, ld, ho, wo, s) })
					sameBits32(t, what+" scatter-add", buf, wantPlane)
				}
			}
		}
	}
}

// TestStrided32Checks: bad lengths and strides panic.
func TestStrided32Checks(t *testing.T) {
	for _, c := range []struct {
		dense, plane, ld, ho, wo, s int
	}{
		{6, 100, 10, 2, 3, 0},  // stride 0
		{5, 100, 10, 2, 3, 1},  // dense too short
		{6, 12, 10, 2, 3, 1},   // plane ends before the last value (13)
		{6, 100, 0, 2, 3, 1},   // ld 0
		{-1, 100, 10, 2, 3, 1}, // marker: negative size below
	} {
		if c.dense < 0 {
			c.dense, c.ho = 0, -1
		}
		for _, f := range []func([]float32, []float32, int, int, int, int){GatherStrided32, nil} {
			func() {
				defer func() {
					if recover() == nil {
						t.Errorf("%+v: no panic", c)
					}
				}()
				dense, plane := make([]float32, c.dense), make([]float32, c.plane)
				if f != nil {
					f(dense, plane, c.ld, c.ho, c.wo, c.s)
				} else {
					ScatterAddStrided32(plane, dense, c.ld, c.ho, c.wo, c.s)
				}
			}()
		}
	}
}

// withTable32 runs f with tb as the chosen float32 table.
func withTable32(tb *kernels32, f func()) {
	old := k32()
	current32.Store(tb)
	defer current32.Store(old)
	f()
}

// TestRuns32: every table's run gather and scatter-add give the generic
// loops' bits, for runs shorter and longer than a vector, overlapping
// runs (scatter-add must add them in order) and runs that end at the
// plane's last value; the plane outside the runs stays as it was.
func TestRuns32(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 9))
	generic := tables32["generic"]
	for name, tb := range tables32 {
		for _, n := range []int{1, 5, 16, 17, 48, 96, 100} {
			for _, runs := range []int{1, 3, 40} {
				size := n + r.IntN(3*n+1)
				off := make([]int32, runs)
				for j := range off {
					off[j] = int32(r.IntN(size - n + 1))
				}
				off[runs-1] = int32(size - n) // a run ending at the last value
				what := fmt.Sprintf("%s n=%d runs=%d size=%d", name, n, runs, size)
				const guard = 4
				buf := rand32(r, size+2*guard)
				negZeros(buf)
				plane := buf[guard : guard+size : guard+size]
				dense := rand32(r, runs*n)
				saved := append([]float32(nil), buf...)

				got, want := make([]float32, runs*n), make([]float32, runs*n)
				withTable32(tb, func() { GatherRuns32(got, plane, off, n) })
				withTable32(generic, func() { GatherRuns32(want, plane, off, n) })
				sameBits32(t, what+" gather", got, want)
				sameBits32(t, what+" gather (source)", buf, saved)

				wantBuf := append([]float32(nil), buf...)
				withTable32(generic, func() { ScatterAddRuns32(wantBuf[guard:guard+size], dense, off, n) })
				withTable32(tb, func() { ScatterAddRuns32(plane, dense, off, n) })
				sameBits32(t, what+" scatter-add", buf, wantBuf)
			}
		}
	}
	for _, bad := range [][]int32{{-1}, {5}} { // a run before or past the plane of 8
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("offsets %v: no panic", bad)
				}
			}()
			GatherRuns32(make([]float32, 4), make([]float32, 8), bad, 4)
		}()
	}
}

// negZeros sets every third value of v to −0.
func negZeros(v []float32) {
	for i := 0; i < len(v); i += 3 {
		v[i] = float32(math.Copysign(0, -1))
	}
}

// FuzzStrided32: on any geometry (overlapping rows and runs included),
// every table's strided and run gathers and scatter-adds give the loops'
// bits and touch nothing outside the strided places or runs.
func FuzzStrided32(f *testing.F) {
	f.Add(uint8(30), uint8(3), uint8(28), uint8(1), uint8(48), uint8(9), uint64(1))
	f.Add(uint8(30), uint8(14), uint8(14), uint8(2), uint8(17), uint8(3), uint64(2))
	f.Add(uint8(5), uint8(4), uint8(9), uint8(3), uint8(1), uint8(40), uint64(3))
	f.Fuzz(func(t *testing.T, ld, ho, wo, s, n, runs uint8, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 7))
		L, H, W, S := 1+int(ld)%64, 1+int(ho)%8, 1+int(wo)%40, 1+int(s)%3
		N, R := 1+int(n)%100, 1+int(runs)%24
		size := (H-1)*S*L + (W-1)*S + 1
		plane, dense := rand32(r, size), rand32(r, H*W)
		negZeros(plane)
		runSize := N + r.IntN(2*N+1)
		off := make([]int32, R)
		for j := range off {
			off[j] = int32(r.IntN(runSize - N + 1))
		}
		runPlane, runDense := rand32(r, runSize), rand32(r, R*N)
		negZeros(runPlane)
		generic := tables32["generic"]
		for name, tb := range tables32 {
			what := fmt.Sprintf("%s ld=%d %d×%d s=%d n=%d runs=%d", name, L, H, W, S, N, R)
			var got, want [4][]float32
			for i, tab := range []*kernels32{generic, tb} {
				g, p := make([]float32, H*W), append([]float32(nil), plane...)
				gr, pr := make([]float32, R*N), append([]float32(nil), runPlane...)
				withTable32(tab, func() {
					GatherStrided32(g, plane, L, H, W, S)
					ScatterAddStrided32(p, dense, L, H, W, S)
					GatherRuns32(gr, runPlane, off, N)
					ScatterAddRuns32(pr, runDense, off, N)
				})
				if i == 0 {
					want = [4][]float32{g, p, gr, pr}
				} else {
					got = [4][]float32{g, p, gr, pr}
				}
			}
			for k, op := range []string{"gather", "scatter-add", "run gather", "run scatter-add"} {
				sameBits32(t, what+" "+op, got[k], want[k])
			}
		}
	})
}
