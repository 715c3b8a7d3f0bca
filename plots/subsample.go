package plots

import "github.com/goebm/ebm/rng"

const (
	// maxScatter is the most points drawn in one scatter panel.
	maxScatter = 3000
	// subsampleSeed fixes the scatter subsample so figures are reproducible.
	subsampleSeed = 0x706c6f7473 // "plots"
)

// pick returns k distinct indices from [0, n), sorted, chosen uniformly at
// random with a fixed seed (selection sampling: one pass, O(k) memory).
// With k ≥ n it returns every index.
func pick(n, k int, stream uint64) []int {
	if k >= n {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	s := rng.New(subsampleSeed, stream)
	idx := make([]int, 0, k)
	for i := 0; i < n && len(idx) < k; i++ {
		// Keep i with probability (still needed)/(still available).
		if float64(n-i)*s.Float64() < float64(k-len(idx)) {
			idx = append(idx, i)
		}
	}
	return idx
}

// scatterPoints returns up to maxScatter finite points (columns jx, jy) of
// m, subsampled reproducibly, as parallel x and y slices.
func scatterPoints(m matrix, jx, jy int, stream uint64) (xs, ys []float64) {
	return pickedPoints(m, pick(m.n, maxScatter, stream), jx, jy)
}

// pickedPoints returns the finite (column jx, column jy) pairs of the rows
// idx of m.
func pickedPoints(m matrix, idx []int, jx, jy int) (xs, ys []float64) {
	xs = make([]float64, 0, len(idx))
	ys = make([]float64, 0, len(idx))
	for _, i := range idx {
		x, y := m.x[i*m.dim+jx], m.x[i*m.dim+jy]
		if finite(x) && finite(y) {
			xs = append(xs, x)
			ys = append(ys, y)
		}
	}
	return xs, ys
}
