// Package runner is ebmrun: it loads a TOML pipeline, validates it
// strictly, runs it with progress reporting and writes the outputs a person
// and NumPy can read. A sampling pipeline has an energy, a start
// distribution, one or more samplers and run settings (Load); a training
// pipeline, recognized by its [train] or [objective] table, has a data set,
// a learnable energy, an objective, an optimizer and train, eval and sample
// settings (LoadTrain): it trains with checkpoints, scores the model by its
// exact held-out NLL (2-D and 3-D data) and an MMD, and draws from it.
// Main is the whole command line tool, importable so that a custom binary
// with extra components is one file:
//
//	package main
//
//	import (
//		_ "example.com/mycomponents" // registers extra energies or samplers
//		"github.com/goebm/ebm/runner"
//	)
//
//	func main() { runner.Main() }
package runner

import (
	// The built-in components register themselves when their packages are
	// imported; runner imports every one of them so that any binary calling
	// Main knows all built-ins.
	_ "github.com/goebm/ebm/checkpoint"
	_ "github.com/goebm/ebm/datasets"
	_ "github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/energies/convnet"
	_ "github.com/goebm/ebm/energies/mlp"
	_ "github.com/goebm/ebm/initdist"
	_ "github.com/goebm/ebm/objectives"
	_ "github.com/goebm/ebm/optim"
	_ "github.com/goebm/ebm/samplers"
)
