//go:build !race

package objectives

// scoreRaceEnabled reports whether the tests run under the race detector.
const scoreRaceEnabled = false
