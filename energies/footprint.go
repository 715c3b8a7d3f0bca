package energies

import (
	"fmt"

	"github.com/goebm/ebm/registry"
)

// The memory the analytic energies allocate when validated grows with the
// square of their dimension (covariance matrices): registry.Build refuses
// one that would not fit before Validate allocates it.

// Footprint is the d×d covariance (and, with cov, its inverse and the
// factorization's work) that Validate allocates, d = len(mean).
func (g *Gaussian) Footprint(registry.Context) registry.Footprint {
	d := int64(len(g.Mu))
	mats, what := int64(1), "the covariance matrix"
	if g.Cov != nil {
		mats, what = 3, "the covariance, its inverse and their factorization"
	}
	return registry.Footprint{
		Bytes: registry.Bytes(mats, d, d, 8),
		Keys:  []string{"mean"},
		What:  fmt.Sprintf("%s: %d × dim² × 8 bytes, dim = %d (the length of mean)", what, mats, d),
	}
}

// Footprint is the per-component covariances (and, with covs, their
// inverses) and the mixture covariance that Validate allocates: about
// (components + 1)·dim² values, dim the length of each mean.
func (g *GMM) Footprint(registry.Context) registry.Footprint {
	nk := int64(len(g.Means))
	d := int64(0)
	if nk > 0 {
		d = int64(len(g.Means[0]))
	}
	mats := nk + 1
	if g.Covs != nil {
		mats = 2*nk + 2
	}
	return registry.Footprint{
		Bytes: registry.Bytes(mats, d, d, 8),
		Keys:  []string{"means"},
		What:  fmt.Sprintf("covariance matrices: %d × dim² × 8 bytes, dim = %d, %d components", mats, d, nk),
	}
}

var (
	_ registry.Footprinter = (*Gaussian)(nil)
	_ registry.Footprinter = (*GMM)(nil)
)
