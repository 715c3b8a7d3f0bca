//go:build race

package objectives

// scoreRaceEnabled: the race detector makes sync.Pool drop items at random
// and instruments allocations, so allocation counts mean nothing under it.
const scoreRaceEnabled = true
