// Package runner is ebmrun: it loads a TOML pipeline (energy, start
// distribution, one or more samplers, run settings), validates it strictly,
// runs it with progress reporting and writes the outputs a person and NumPy
// can read. Main is the whole command line tool, importable so that a custom
// binary with extra components is one file:
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
	_ "github.com/goebm/ebm/energies"
	_ "github.com/goebm/ebm/initdist"
	_ "github.com/goebm/ebm/samplers"
)
