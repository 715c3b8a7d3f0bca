package fileio

import (
	"bytes"
	"encoding/binary"
	"math"
	"reflect"
	"strings"
	"testing"
)

// TestNPYRoundTrip checks that WriteNPY output reads back bit-exactly with
// its shape, including NaN, ±Inf and −0, and that the data starts on a
// 64-byte boundary as NumPy requires; a failure means samples.npy files
// would be corrupted or unreadable by NumPy.
func TestNPYRoundTrip(t *testing.T) {
	for _, shape := range [][]int{{2, 3, 4}, {5}, {0, 3}, {1, 1, 1}, {}} {
		n := 1
		for _, s := range shape {
			n *= s
		}
		data := make([]float64, n)
		for i := range data {
			data[i] = float64(i)*1.5 - 3
		}
		if n >= 4 {
			data[0], data[1], data[2], data[3] = math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1)
		}
		var buf bytes.Buffer
		if err := WriteNPY(&buf, data, shape...); err != nil {
			t.Fatal(err)
		}
		raw := buf.Bytes()
		hlen := int(binary.LittleEndian.Uint16(raw[8:10]))
		if (10+hlen)%64 != 0 || raw[10+hlen-1] != '\n' {
			t.Errorf("shape %v: data offset %d is not a multiple of 64 ending in a newline", shape, 10+hlen)
		}
		got, gotShape, err := ReadNPY(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		if !reflect.DeepEqual(gotShape, append([]int{}, shape...)) {
			t.Errorf("shape %v read back as %v", shape, gotShape)
		}
		for i := range data {
			if math.Float64bits(got[i]) != math.Float64bits(data[i]) {
				t.Errorf("shape %v: value %d = %v, want %v", shape, i, got[i], data[i])
			}
		}
	}
}

// TestNPYHeaderText pins the header to the form NumPy writes, so that
// numpy.load accepts it.
func TestNPYHeaderText(t *testing.T) {
	var buf bytes.Buffer
	WriteNPY(&buf, make([]float64, 6), 2, 3)
	want := "\x93NUMPY\x01\x00"
	if !strings.HasPrefix(buf.String(), want) {
		t.Fatalf("magic/version %q, want %q", buf.String()[:8], want)
	}
	if !strings.Contains(buf.String(), "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }") {
		t.Fatalf("header %q is not NumPy's dict form", buf.String()[10:64])
	}
	buf.Reset()
	WriteNPY(&buf, make([]float64, 4), 4)
	if !strings.Contains(buf.String(), "'shape': (4,), }") {
		t.Fatalf("1-D header %q lacks the trailing comma of a Python 1-tuple", buf.String()[10:64])
	}
}

// npyBytes builds a .npy file by hand the way NumPy lays it out.
func npyBytes(header string, data []byte) []byte {
	pad := 64 - (10+len(header)+1)%64
	if pad == 64 {
		pad = 0
	}
	header += strings.Repeat(" ", pad) + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(header)))
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

// TestReadNPYOtherDtypes checks conversion of float32 and integer arrays,
// which users commonly save; a failure means valid points files are
// misread.
func TestReadNPYOtherDtypes(t *testing.T) {
	var f4, i8, i4 bytes.Buffer
	for _, v := range []float32{1.5, -2} {
		binary.Write(&f4, binary.LittleEndian, v)
	}
	for _, v := range []int64{3, -4} {
		binary.Write(&i8, binary.LittleEndian, v)
	}
	for _, v := range []int32{5, -6} {
		binary.Write(&i4, binary.LittleEndian, v)
	}
	for _, c := range []struct {
		descr string
		data  []byte
		want  []float64
	}{
		{"<f4", f4.Bytes(), []float64{1.5, -2}},
		{"<i8", i8.Bytes(), []float64{3, -4}},
		{"<i4", i4.Bytes(), []float64{5, -6}},
	} {
		raw := npyBytes("{'descr': '"+c.descr+"', 'fortran_order': False, 'shape': (1, 2), }", c.data)
		got, shape, err := ReadNPY(bytes.NewReader(raw))
		if err != nil || !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(shape, []int{1, 2}) {
			t.Errorf("%s: got %v %v %v, want %v [1 2]", c.descr, got, shape, err, c.want)
		}
	}
}

// TestReadNPYRejects checks that malformed files give errors with a useful
// message instead of panics or garbage.
func TestReadNPYRejects(t *testing.T) {
	eight := make([]byte, 16)
	for _, c := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"empty", nil, "too short"},
		{"magic", []byte("PK\x03\x04 not numpy at all"), "bad magic"},
		{"version", []byte("\x93NUMPY\x09\x00\x00\x00"), "version"},
		{"fortran", npyBytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2,), }", eight), "Fortran"},
		{"dtype", npyBytes("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", eight), "float64"},
		{"truncated", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", eight), "truncated"},
		{"extra", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", eight), "more data"},
		{"huge", npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100000000), }", eight), "too large"},
		{"missing key", npyBytes("{'descr': '<f8', 'shape': (2,), }", eight), "fortran_order"},
		{"garbage", npyBytes("{'descr': <f8}", eight), "bad .npy header"},
	} {
		_, _, err := ReadNPY(bytes.NewReader(c.raw))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// FuzzReadNPY checks that no input makes the NPY reader panic, and that
// whatever it accepts is self-consistent (values match the shape) and
// survives a write/read round trip.
func FuzzReadNPY(f *testing.F) {
	var buf bytes.Buffer
	WriteNPY(&buf, []float64{1, 2, 3, 4, 5, 6}, 2, 3)
	f.Add(buf.Bytes())
	f.Add(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", make([]byte, 8)))
	f.Add(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (), }", make([]byte, 8)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		data, shape, err := ReadNPY(bytes.NewReader(raw))
		if err != nil {
			return
		}
		n := 1
		for _, s := range shape {
			n *= s
		}
		if n != len(data) {
			t.Fatalf("shape %v but %d values", shape, len(data))
		}
		var out bytes.Buffer
		if err := WriteNPY(&out, data, shape...); err != nil {
			t.Fatal(err)
		}
		back, _, err := ReadNPY(&out)
		if err != nil || len(back) != len(data) {
			t.Fatalf("round trip failed: %v", err)
		}
	})
}
