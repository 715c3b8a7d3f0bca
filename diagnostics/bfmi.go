package diagnostics

import "math"

// EBFMI returns the energy Bayesian fraction of missing information of one
// chain of Hamiltonian energies E_1…E_N (the Hamiltonian at each draw,
// Stan's energy__; Betancourt 2016), as CmdStan computes it:
//
//	E-BFMI = Σ_{n=2}^{N} (E_n − E_{n−1})² / Σ_{n=1}^{N} (E_n − Ē)².
//
// Values below 0.3 suggest that the momentum resampling explores the
// energy distribution poorly (heavy tails; reparametrise). NaN with fewer
// than 2 energies, a non-finite one, or constant energies.
func EBFMI(energy []float64) float64 {
	if len(energy) < 2 {
		return math.NaN()
	}
	mu := 0.0
	for _, e := range energy {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return math.NaN()
		}
		mu += e
	}
	mu /= float64(len(energy))
	num, den := 0.0, 0.0
	for n, e := range energy {
		den += (e - mu) * (e - mu)
		if n > 0 {
			d := e - energy[n-1]
			num += d * d
		}
	}
	if den == 0 {
		return math.NaN()
	}
	return num / den
}
