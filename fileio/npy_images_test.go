package fileio

import (
	"bytes"
	"reflect"
	"testing"
)

// TestReadNPYBytesAndRank4 checks the one-byte dtypes that images are saved
// in (uint8 and int8, with either byte-order mark) and an array of rank 4,
// (n, c, h, w), read with its shape. A failure means image arrays saved by
// numpy are refused or misread.
func TestReadNPYBytesAndRank4(t *testing.T) {
	for _, c := range []struct {
		descr string
		want  []float64
	}{
		{"|u1", []float64{0, 1, 128, 255}},
		{"<u1", []float64{0, 1, 128, 255}},
		{"|i1", []float64{0, 1, -128, -1}},
	} {
		raw := npyBytes("{'descr': '"+c.descr+"', 'fortran_order': False, 'shape': (1, 1, 2, 2), }", []byte{0, 1, 128, 255})
		got, shape, err := ReadNPY(bytes.NewReader(raw))
		if err != nil || !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(shape, []int{1, 1, 2, 2}) {
			t.Errorf("%s: got %v %v %v, want %v [1 1 2 2]", c.descr, got, shape, err, c.want)
		}
	}
	raw := npyBytes("{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }", []byte{1, 2, 3})
	if _, _, err := ReadNPY(bytes.NewReader(raw)); err == nil {
		t.Error("a truncated uint8 array was accepted")
	}
}
