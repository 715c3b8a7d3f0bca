package train

import "github.com/goebm/ebm/rng"

// Batcher draws the batches of a run (see the package comment): the batch
// of a step follows from the seed and the step alone.
type Batcher struct {
	data []float64
	dim  int
	n    int64
	seed uint64
	pass int64 // the pass whose order perm holds, -1 for none
	perm []int
}

// NewBatcher returns the batcher over data (rows of dim) with the given
// seed (SubSeed(s.Seed, SeedBatches) in a run). data must hold at least
// one row.
func NewBatcher(data []float64, dim int, seed uint64) *Batcher {
	n := len(data) / dim
	if n == 0 {
		panic("train: NewBatcher with no data rows")
	}
	return &Batcher{data: data, dim: dim, n: int64(n), seed: seed, pass: -1, perm: make([]int, n)}
}

// Fill writes the batch of step (counted from 0) into dst, whose length
// (a whole number of rows) is the batch size.
func (b *Batcher) Fill(dst []float64, step int64) {
	bs := int64(len(dst) / b.dim)
	for i := int64(0); i < bs; i++ {
		pos := step*bs + i
		pass, j := pos/b.n, pos%b.n
		if pass != b.pass {
			b.shuffle(pass)
		}
		row := b.perm[j]
		copy(dst[i*int64(b.dim):(i+1)*int64(b.dim)], b.data[row*b.dim:(row+1)*b.dim])
	}
}

// shuffle draws the order of a pass (Fisher–Yates on stream (seed, pass)).
func (b *Batcher) shuffle(pass int64) {
	s := rng.New(b.seed, uint64(pass))
	s.FillPerm(b.perm)
	b.pass = pass
}
