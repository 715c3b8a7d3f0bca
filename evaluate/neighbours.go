package evaluate

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/goebm/ebm/simd"
)

// Blocks of the nearest-neighbour search: queries × reference rows per
// matrix product.
const (
	nnQueryBlock = 128
	nnRefBlock   = 512
)

// NearestDistances returns, for each row of q, the Euclidean distance to
// its nearest row of ref (both row-major, dim values per row). Squared
// distances are computed as ‖a‖² + ‖b‖² − 2a·b with the dot products of a
// block of queries against a block of reference rows as one simd.MatMulBT,
// so the cost is about 2·|q|·|ref|·dim flops; rounding makes a distance
// below about 1e-7·‖a‖ read as a small number rather than 0 (a negative
// square from cancellation reads 0). Blocks of queries run on workers
// goroutines (≤ 0: GOMAXPROCS); each distance depends on its row alone, so
// the result does not depend on workers. Non-finite values give NaN for
// the rows that hold them (a NaN reference row makes every distance NaN).
// It panics on a dim ≤ 0 or rows that are not whole, and returns an error
// only when ctx is cancelled.
func NearestDistances(ctx context.Context, q, ref []float64, dim, workers int) ([]float64, error) {
	if dim <= 0 || len(q)%dim != 0 || len(ref)%dim != 0 || len(ref) == 0 {
		panic(fmt.Sprintf("evaluate: NearestDistances: len(q) = %d and len(ref) = %d must be multiples of dim = %d > 0, ref not empty", len(q), len(ref), dim))
	}
	nq, nr := len(q)/dim, len(ref)/dim
	refSq := make([]float64, nr)
	for i := range nr {
		refSq[i] = simd.SumSq(ref[i*dim : (i+1)*dim])
	}
	out := make([]float64, nq)
	nqb := (nq + nnQueryBlock - 1) / nnQueryBlock
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, nqb) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dots := make([]float64, nnQueryBlock*nnRefBlock)
			qs := make([]float64, nnQueryBlock)
			for ctx.Err() == nil {
				b := int(next.Add(1) - 1)
				if b >= nqb {
					return
				}
				lo, hi := b*nnQueryBlock, min((b+1)*nnQueryBlock, nq)
				m := hi - lo
				best := out[lo:hi]
				for i := range best {
					best[i] = math.Inf(1)
				}
				for i := range m {
					qs[i] = simd.SumSq(q[(lo+i)*dim : (lo+i+1)*dim])
				}
				for r0 := 0; r0 < nr; r0 += nnRefBlock {
					nc := min(nnRefBlock, nr-r0)
					c := dots[:m*nc]
					simd.MatMulBT(c, q[lo*dim:hi*dim], ref[r0*dim:(r0+nc)*dim], m, dim, nc)
					for i := range m {
						row := c[i*nc : (i+1)*nc]
						for j, v := range row {
							d2 := qs[i] + refSq[r0+j] - 2*v
							if d2 < best[i] || math.IsNaN(d2) {
								best[i] = d2
							}
						}
					}
				}
				for i, v := range best {
					best[i] = math.Sqrt(max(v, 0))
					if math.IsNaN(v) {
						best[i] = math.NaN()
					}
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("evaluate: nearest neighbours: %w", err)
	}
	return out, nil
}

// DistanceSummary describes a set of distances.
type DistanceSummary struct {
	N      int     // distances summarised (finite ones)
	Mean   float64 // NaN when N = 0
	Median float64 // the mean of the two middle values for an even N
	Q10    float64 // 10 % quantile (linear interpolation, NumPy's default)
	Min    float64
}

// SummarizeDistances summarises the finite values of d.
func SummarizeDistances(d []float64) DistanceSummary {
	v := make([]float64, 0, len(d))
	for _, x := range d {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		nan := math.NaN()
		return DistanceSummary{Mean: nan, Median: nan, Q10: nan, Min: nan}
	}
	slices.Sort(v)
	s := 0.0
	for _, x := range v {
		s += x
	}
	return DistanceSummary{N: len(v), Mean: s / float64(len(v)), Median: quantileSorted(v, 0.5), Q10: quantileSorted(v, 0.1), Min: v[0]}
}

// quantileSorted is the q-quantile of sorted v by linear interpolation
// between closest ranks (NumPy's default).
func quantileSorted(v []float64, q float64) float64 {
	h := q * float64(len(v)-1)
	i := int(math.Floor(h))
	if i+1 >= len(v) {
		return v[len(v)-1]
	}
	return v[i] + (h-float64(i))*(v[i+1]-v[i])
}
