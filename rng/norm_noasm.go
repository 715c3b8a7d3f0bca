//go:build purego || !amd64

package rng

func useVector() bool { return false }

func fillNormRows8(st *Stream, dst *float64, cnt, slow *uint8, d, groups int) {
	panic("rng: fillNormRows8 without vector support")
}
