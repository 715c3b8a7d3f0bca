package simd

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// Impl describes one implementation of the kernels.
type Impl struct {
	Name      string // "generic", "avx2", "avx512" or "neon"
	Available bool   // compiled in and supported by this CPU
	Chosen    bool   // in use now
	// Missing says why an unavailable implementation cannot run here:
	// "CPU lacks AVX2/FMA", "not an arm64 build", "purego build". It is
	// empty when Available.
	Missing string
	// Auto is true when the implementation is one the package would choose
	// by default on this CPU (the last such in the table order is chosen):
	// generic, avx2 and neon whenever available, avx512 only where it pays
	// (see the package comment).
	Auto bool
}

// kernels is one implementation: a table of the unchecked kernels. The
// public functions check lengths and call through the chosen table.
type kernels struct {
	name      string
	available bool
	missing   string // why not available (the CPU lacks a feature), else ""
	// auto: chosen by default when no later implementation in impls is
	// (avx512 only where 512-bit FMAs pay, see avx512Pays).
	auto bool

	dot          func(x, y []float64) float64
	sumSq        func(x []float64) float64
	axpy         func(y []float64, a float64, x []float64)
	scale        func(x []float64, s float64)
	addScaled    func(dst, a []float64, s float64, b []float64)
	langevin     func(dst, x, g, xi []float64, a, b float64) // dst = x + a·g + b·ξ; dst may be x
	langevinRows func(x, g, xi, a, b []float64, d int)
	// axpyRows: y[j] += float64(±a[i] * x[j]) over rows of d, minus when neg.
	axpyRows     func(y, x, a []float64, d int, neg bool)
	position     func(x, p, minv []float64, h float64)
	positionRows func(x, p, minv, h []float64, d int)
	// matMul sets C = A·B (row-major, m×k times k×n), lengths checked.
	matMul func(c, a, b []float64, m, k, n int)
	// matMulAT sets C = Aᵀ·B (A stored k×m), lengths checked.
	matMulAT func(c, a, b []float64, m, k, n int)
	// exp sets dst[i] = e^x[i] (within 2 ulp of math.Exp).
	exp func(dst, x []float64)
	// log sets dst[i] = log x[i] (within 1 ulp of math.Log).
	log func(dst, x []float64)
	// the isotropic-mixture column kernels, lengths checked
	gaussLogits      func(a, m, x []float64, ld int, c []float64, lc, h float64)
	expSubAcc        func(w, s, a, m []float64)
	addWeightedDiffs func(g, x []float64, ld int, c, w []float64, h float64)
	// adam is one Adam update (Adam); nil means adamGeneric.
	adam func(p, m, v, grad []float64, c *AdamConsts)
	// allFinite reports whether no value is NaN or ±Inf (AllFinite); nil
	// means allFiniteGeneric.
	allFinite func(x []float64) bool
	// NUTS's per-chain passes (nuts.go); nil means the generic loop.
	// nutsFrom is the row length from which they pay (NUTSVector), 0 for
	// none.
	nutsFrom     int
	nutsDrift    func(xd, x, p, g, m []float64, h float64)
	nutsKick     func(pc, xc, gc, p, x, g, m []float64, h float64) (float64, bool)
	nutsMomentum func(p, op, rho, m []float64) float64
	uTurnFree3   func(rho, a, b, ra, c, d, rc, m []float64) bool
	uTurnFree2   func(rho, a, c, m []float64) bool
	// NUTS's lane passes (nuts_lanes.go) on nb > 0 whole blocks; nil
	// means the generic loops (and NUTSLanes false).
	nutsLaneDrift  func(p, x, g, m, nh, h []float64, nb, d int)
	nutsLaneKick   func(pc, xc, gc, p, x, g, m, nh, twoK []float64, fin []uint8, nb, d int)
	nutsLaneUTurn3 func(rho, a, b, ra, c, dd, rc, m []float64, free []uint8, nb, d int)
	nutsLaneUTurn2 func(rho, a, c, m []float64, free []uint8, nb, d int)
	nutsLaneCopy   func(dst, src []float64, mask []uint8, nb, d int)
	// tr8x8 transposes chunks 8×8 float64 tiles, row i of tile c at
	// src[c·srcStep+i·srcStride:], column q to dst[c·dstStep+q·dstStride:]
	// (NUTSLanesToRows); nil means the loops.
	tr8x8 func(dst []float64, dstStride, dstStep int, src []float64, srcStride, srcStep, chunks int)
	// expExact is ExpExact (math.Exp's bits); nil means math.Exp per value.
	expExact     func(dst, x []float64)
	nutsLaneSwap func(a, b []float64, mask []uint8, nb, d int)
}

// known lists every implementation, compiled in or not, with the GOARCH
// its code is written for ("" for any), so that an override can say whether
// a name is wrong or just unavailable here, and why.
var known = []struct{ name, goarch string }{
	{"generic", ""},
	{"avx2", "amd64"},
	{"avx512", "amd64"},
	{"neon", "arm64"},
}

var (
	impls   []*kernels // generic first, then what this build compiled in
	current *kernels
	// problem says what was wrong with EBM_SIMD at start-up (or at the
	// last UseEnv), "" when it was absent or honoured.
	problem string
)

func init() {
	impls = append([]*kernels{genericKernels()}, archKernels()...)
	UseEnv()
}

// UseEnv applies the environment variable EBM_SIMD as the package does at
// start-up, and returns what OverrideProblem then reports. Absent or
// empty, it chooses the best implementation this machine can run. A name
// (matched without regard to case or surrounding spaces) chooses that
// implementation; an unknown or unavailable one chooses the best
// implementation instead, and the problem says so. Like Use, it is meant
// for start-up and tests, never while kernels run on other goroutines.
func UseEnv() string {
	current, problem = best(), ""
	current32.Store(nil)
	env := os.Getenv("EBM_SIMD")
	name := strings.ToLower(strings.TrimSpace(env))
	if name == "" {
		return ""
	}
	if k := lookup(name); k != nil && k.available {
		current = k
		current32.Store(nil)
		return ""
	}
	problem = fmt.Sprintf("EBM_SIMD=%s: %s; using %s (available: %s)", env, whyNot(name), current.name, strings.Join(Available(), ", "))
	return problem
}

// OverrideProblem says what was wrong with EBM_SIMD when it was read
// (start-up or UseEnv), in one line that names the variable, why its value
// was not used and which implementation runs instead:
// "EBM_SIMD=bogus: unknown implementation; using avx2 (available:
// generic, avx2)". It is "" when the variable was absent or honoured. The
// CLI prints it as a warning in every command.
func OverrideProblem() string { return problem }

// best returns the last implementation in impls that is available and
// chosen by default (auto), or generic: avx512 where it pays, else avx2 or
// neon where available.
func best() *kernels {
	for i := len(impls) - 1; i > 0; i-- {
		if k := impls[i]; k.available && k.auto {
			return k
		}
	}
	return impls[0]
}

// InitError is OverrideProblem as an error, nil when there is none.
func InitError() error {
	if problem == "" {
		return nil
	}
	return errors.New(problem)
}

// Implementations lists every implementation this package knows, in the
// order generic, avx2, avx512, neon, with whether it can run here, whether
// it would be chosen by default and which one is chosen.
func Implementations() []Impl {
	out := make([]Impl, 0, len(known))
	for _, kn := range known {
		im := Impl{Name: kn.name}
		switch k := lookup(kn.name); {
		case k != nil:
			im.Available, im.Chosen, im.Missing, im.Auto = k.available, k == current, k.missing, k.auto
		case kn.goarch != runtime.GOARCH:
			im.Missing = "not an " + kn.goarch + " build"
		default: // the right architecture, but the assembly was left out
			im.Missing = "purego build"
		}
		out = append(out, im)
	}
	return out
}

// Available lists the names of the implementations that can run here,
// generic first.
func Available() []string {
	var out []string
	for _, im := range Implementations() {
		if im.Available {
			out = append(out, im.Name)
		}
	}
	return out
}

// Chosen returns the name of the implementation in use.
func Chosen() string { return current.name }

// Use switches every kernel to the named implementation. It is meant for
// start-up, tests and benchmarks: it must not be called while kernels run
// on other goroutines. An unknown or unavailable name is an error that
// lists the available ones.
func Use(name string) error {
	k := lookup(name)
	if k == nil || !k.available {
		return fmt.Errorf("simd: %q: %s (available: %s)", name, whyNot(name), strings.Join(Available(), ", "))
	}
	current = k
	current32.Store(nil)
	return nil
}

// whyNot says why the implementation name cannot be used.
func whyNot(name string) string {
	for _, im := range Implementations() {
		if im.Name == name {
			return "not available on this machine or build: " + im.Missing
		}
	}
	return "unknown implementation"
}

func lookup(name string) *kernels {
	for _, k := range impls {
		if k.name == name {
			return k
		}
	}
	return nil
}

// mismatch panics for slices whose lengths disagree: a programming error.
func mismatch() { panic("simd: length mismatch") }
