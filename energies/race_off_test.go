//go:build !race

package energies_test

// raceEnabled reports whether the tests run under the race detector.
const raceEnabled = false
