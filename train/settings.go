package train

import (
	"errors"
	"fmt"

	"github.com/goebm/ebm/datasets"
	"github.com/goebm/ebm/rng"
)

// Settings is the [train] table.
type Settings struct {
	Steps           int     `toml:"steps" doc:"optimizer steps (> 0)"`
	BatchSize       int     `toml:"batch_size" doc:"data rows per step (> 0); rows are drawn without replacement within each pass over the shuffled training set"`
	LogEvery        int     `toml:"log_every" doc:"one loss.csv row every log_every steps: the mean loss and gradient norm over those steps (> 0)"`
	CheckpointEvery int     `toml:"checkpoint_every" doc:"write checkpoint.ebm (and loss.csv) every checkpoint_every steps; 0 means only at the end and on Ctrl-C"`
	KeepCheckpoints bool    `toml:"keep_checkpoints" doc:"also keep each periodic checkpoint as checkpoint-<step>.ebm"`
	EvalEvery       int     `toml:"eval_every" doc:"held-out NLL every eval_every steps, recorded in eval.json's history (dim ≤ 3); 0 means only at the end"`
	Seed            int64   `toml:"seed" doc:"seed of the train/held-out split, the batches and the objective's noise (default: the top-level seed)"`
	Holdout         float64 `toml:"holdout" doc:"fraction of the data held out for evaluation, in [0, 1); 0 evaluates on the training data"`
	EMA             float64 `toml:"ema" doc:"decay of an exponential moving average of the model's parameters, updated after every step (e.g. 0.999); evaluation, sampling, the checkpoint's model and export then use the average; 0 means off, in [0, 1)"`
}

// DefaultSettings returns the [train] defaults; Seed is 0 (ebmrun fills it
// from the config's top-level seed).
func DefaultSettings() Settings {
	return Settings{Steps: 5000, BatchSize: 256, LogEvery: 10, CheckpointEvery: 1000, Holdout: 0.2}
}

// Validate checks the [train] keys; each error names its key.
func (s *Settings) Validate() error {
	var errs []error
	if s.Steps <= 0 {
		errs = append(errs, fmt.Errorf("key \"steps\": must be > 0, got %d", s.Steps))
	}
	if s.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("key \"batch_size\": must be > 0, got %d", s.BatchSize))
	}
	if s.LogEvery <= 0 {
		errs = append(errs, fmt.Errorf("key \"log_every\": must be > 0, got %d", s.LogEvery))
	}
	if s.CheckpointEvery < 0 {
		errs = append(errs, fmt.Errorf("key \"checkpoint_every\": must be ≥ 0 (0 means only at the end), got %d", s.CheckpointEvery))
	}
	if s.EvalEvery < 0 {
		errs = append(errs, fmt.Errorf("key \"eval_every\": must be ≥ 0 (0 means only at the end), got %d", s.EvalEvery))
	}
	if s.Seed < 0 {
		errs = append(errs, fmt.Errorf("key \"seed\": must be ≥ 0, got %d", s.Seed))
	}
	if !(s.EMA >= 0 && s.EMA < 1) {
		errs = append(errs, fmt.Errorf("key \"ema\": must be in [0, 1) (0 means off), got %v", s.EMA))
	}
	if !(s.Holdout >= 0 && s.Holdout < 1) {
		errs = append(errs, fmt.Errorf("key \"holdout\": must be in [0, 1), got %v", s.Holdout))
	}
	return errors.Join(errs...)
}

// Indices of the streams that derive a run's seeds from Settings.Seed.
const (
	SeedSplit     = iota // the train/held-out split
	SeedObjective        // the objective's noise and chains
	SeedBatches          // the order of the batches
	SeedSample           // the sampling of the trained model
)

// SubSeed derives seed number k (SeedSplit, …) of a run from its [train] seed.
func SubSeed(seed int64, k uint64) uint64 {
	r := rng.New(uint64(seed), k)
	return r.Uint64()
}

// Split splits the data x (rows of dim) into training and held-out rows as
// a run with settings s does: a fraction s.Holdout held out, drawn with
// the seed SubSeed(s.Seed, SeedSplit). See datasets.Split.
func (s *Settings) Split(x []float64, dim int) (train, heldout []float64) {
	return datasets.Split(x, dim, s.Holdout, SubSeed(s.Seed, SeedSplit))
}

// SplitInPlace is Split reordering x in place and returning views of it
// (datasets.SplitInPlace): the same rows in the same order, without a
// second copy of the data.
func (s *Settings) SplitInPlace(x []float64, dim int) (train, heldout []float64) {
	return datasets.SplitInPlace(x, dim, s.Holdout, SubSeed(s.Seed, SeedSplit))
}
