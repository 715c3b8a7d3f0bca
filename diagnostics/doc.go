// Package diagnostics computes convergence diagnostics for MCMC output:
// split R-hat, effective sample sizes and Monte Carlo standard errors.
//
// The definitions follow Vehtari, Gelman, Simpson, Carpenter and Bürkner
// (2021), "Rank-normalization, folding, and localization: an improved
// R-hat for assessing convergence of MCMC", Bayesian Analysis 16(2), and
// the conventions of Stan, ArviZ and the posterior R package.
//
// Every function takes the draws of one scalar quantity as [chain][draw];
// all chains must have the same length (ragged input is a programming
// error and panics). Each chain is split in half before R-hat and ESS are
// computed; when a chain has an odd number of draws its middle draw is
// dropped.
//
// A diagnostic that cannot be computed is NaN, never a silent division by
// zero: this is the case with no chains, fewer than 4 draws per chain, a
// non-finite draw (NaN or ±Inf), or draws that are all equal (a constant
// quantity has no meaningful R-hat or ESS). Chains that are each constant
// but differ from one another (chains that never moved) give R-hat = +Inf
// and NaN ESSs: they hold no information on mixing. With fewer than 12
// draws per chain (6 per split chain) Geyer's sequence has no room to start
// and every ESS is NaN too. Antithetic chains (NUTS often gives them) have
// an ESS above N, the number of draws used: as in Stan and ArviZ it is
// credited up to N·log₁₀(N), and the Monte Carlo standard error is then
// below SD/√N, as it truly is for such chains.
package diagnostics
