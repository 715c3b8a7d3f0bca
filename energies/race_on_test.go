//go:build race

package energies_test

// raceEnabled: under the race detector sync.Pool (the mlp energy's
// scratch) drops items at random, so allocation counts mean nothing.
const raceEnabled = true
