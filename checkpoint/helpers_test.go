package checkpoint

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"reflect"
	"slices"

	"github.com/goebm/ebm/optim"
)

// negZero is −0. (The literal -0.0 is a constant expression equal to +0.)
var negZero = math.Copysign(0, -1)

// sampleFile is a checkpoint exercising every field, with awkward floats:
// −0, subnormals, ±Inf, and integer/float keys that must keep their types.
func sampleFile() *File {
	return &File{
		Energy: map[string]any{
			"type": "quadtest", "dim": int64(2), "scale": float64(1), "label": "a \"quoted\" name",
			"flags": []any{true, false}, "rows": []any{[]any{1.5, -2.0}, []any{int64(3)}},
		},
		Params: []float64{1, negZero, 5e-324, 2.2250738585072014e-308, math.Inf(1), math.Inf(-1), math.Pi, -1e300},
		Step:   1234,
		Optimizer: map[string]any{
			"type": "adam", "lr": 0.001, "warmup": int64(10), "schedule": "cosine",
		},
		OptState: &optim.State{Step: 1200, Vectors: map[string][]float64{
			"m": {0.1, negZero, 3, 4, 5, 6, 7, 8}, "v": {1e-310, 2, 3, 4, 5, 6, 7, math.Inf(1)},
		}},
		Arrays: map[string][]float64{
			"replay": {math.Inf(-1), negZero, 4.9e-324, 1},
			"log_z":  {-3.25},
			"empty":  {},
		},
		RNG:  map[string][]uint64{"objective": {0xdeadbeefcafebabe, 0x9e3779b97f4a7c15}, "chain/0": {0, math.MaxUint64}},
		Meta: map[string]string{"created": "2025-01-02T03:04:05Z", "note": "ünïcode ✓"},
	}
}

// sameBits reports whether a and b hold the same float64 bit patterns
// (so −0 differs from +0, and a NaN's payload counts).
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// diffFiles describes the first difference between two Files, bit-exact on
// floats, or returns "". Nil and empty maps and slices count as equal.
func diffFiles(a, b *File) string {
	switch {
	case !reflect.DeepEqual(a.Energy, b.Energy):
		return fmt.Sprintf("Energy %#v vs %#v", a.Energy, b.Energy)
	case !sameBits(a.Params, b.Params):
		return fmt.Sprintf("Params %v vs %v", a.Params, b.Params)
	case a.Step != b.Step:
		return fmt.Sprintf("Step %d vs %d", a.Step, b.Step)
	case !reflect.DeepEqual(a.Optimizer, b.Optimizer):
		return fmt.Sprintf("Optimizer %#v vs %#v", a.Optimizer, b.Optimizer)
	case (a.OptState == nil) != (b.OptState == nil):
		return fmt.Sprintf("OptState %v vs %v", a.OptState, b.OptState)
	case len(a.Meta) != len(b.Meta) || len(a.Meta) > 0 && !maps.Equal(a.Meta, b.Meta):
		return fmt.Sprintf("Meta %v vs %v", a.Meta, b.Meta)
	}
	if a.OptState != nil {
		if a.OptState.Step != b.OptState.Step {
			return fmt.Sprintf("OptState.Step %d vs %d", a.OptState.Step, b.OptState.Step)
		}
		if d := diffFloatMaps("OptState.Vectors", a.OptState.Vectors, b.OptState.Vectors); d != "" {
			return d
		}
	}
	if d := diffFloatMaps("Arrays", a.Arrays, b.Arrays); d != "" {
		return d
	}
	if len(a.RNG) != len(b.RNG) {
		return fmt.Sprintf("RNG %v vs %v", a.RNG, b.RNG)
	}
	for k, v := range a.RNG {
		if w, ok := b.RNG[k]; !ok || !slices.Equal(v, w) {
			return fmt.Sprintf("RNG[%q] %v vs %v", k, v, w)
		}
	}
	return ""
}

func diffFloatMaps(what string, a, b map[string][]float64) string {
	if len(a) != len(b) {
		return fmt.Sprintf("%s: %d vs %d entries", what, len(a), len(b))
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !sameBits(v, w) {
			return fmt.Sprintf("%s[%q] %v vs %v", what, k, v, w)
		}
	}
	return ""
}

// rawFile assembles a checkpoint from a header text and body words with a
// valid checksum, to build files whose header is inconsistent on purpose.
func rawFile(version uint32, header string, body []uint64) []byte {
	b := []byte(Magic)
	b = binary.LittleEndian.AppendUint32(b, version)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	b = append(b, header...)
	for _, w := range body {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return fixCRC(append(b, 0, 0, 0, 0))
}

// fixCRC rewrites the trailing checksum of data so that it matches.
func fixCRC(data []byte) []byte {
	if len(data) < 4 {
		return data
	}
	out := slices.Clone(data)
	binary.LittleEndian.PutUint32(out[len(out)-4:], crc32.Checksum(out[:len(out)-4], castagnoli))
	return out
}
