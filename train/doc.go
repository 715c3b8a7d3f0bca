// Package train is the training loop as a library: it draws the batches,
// runs the steps (objective Loss → divergence checks → optimizer Step),
// keeps loss.csv's rows and the evaluation history, and saves and restores
// the whole run state as a checkpoint, so that a resumed run continues
// bit-identically. ebmrun's training runs are built on it; a Go program can
// train a model without the CLI (see the example).
//
// # Batches
//
// The batch of step t (counted from 0) is rows t·B … t·B+B−1 of an endless
// sequence of passes over the training set, pass k in the order of a
// permutation drawn from the stream (batch seed, k): rows are drawn without
// replacement within a pass, and the batch of any step follows from the
// seed and the step alone. So the batch sampler has no state to save, and a
// resumed run draws the same batches as an uninterrupted one.
//
// # Seeds
//
// The seeds of a run derive from [train] seed s (Settings.Seed): stream
// (s, SeedSplit) gives the train/held-out split's seed, (s, SeedObjective)
// the objective's, (s, SeedBatches) the batches', (s, SeedSample) the
// sampling of the trained model. SubSeed computes them.
package train
