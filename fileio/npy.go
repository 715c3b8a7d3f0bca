package fileio

// The .npy format is small (a magic string, a Python-literal header, raw
// little-endian data), and points files come from users, so the reader is
// written here rather than taken from codeberg.org/sbinet/npyio: it must
// return an error, never panic or allocate more than the input holds, on any
// malformed header, and its messages must say what to change. One format
// implementation for both directions keeps reading and writing consistent.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

const npyMagic = "\x93NUMPY"

// maxNPYElems bounds the element count a header may claim (2^40): beyond it
// the file is rejected before any allocation.
const maxNPYElems = min(1<<40, math.MaxInt)

// WriteNPY writes data as a C-order float64 .npy array (format 1.0, or 2.0
// for very long headers) of the given shape. It panics when the shape does
// not match len(data): that is a programming error.
func WriteNPY(w io.Writer, data []float64, shape ...int) error {
	n := 1
	for _, s := range shape {
		if s < 0 {
			panic(fmt.Sprintf("fileio: WriteNPY negative dimension in shape %v", shape))
		}
		n *= s
	}
	if n != len(data) {
		panic(fmt.Sprintf("fileio: WriteNPY shape %v holds %d values, data has %d", shape, n, len(data)))
	}
	if _, err := w.Write(NPYHeader(shape...)); err != nil {
		return err
	}
	return WriteFloat64s(w, data)
}

// NPYHeader returns the bytes WriteNPY writes before the values of a
// float64 array of the given shape (version 1.0, or 2.0 for a header too
// long for it), padded so that the values start at a multiple of 64
// bytes. With WriteFloat64s it lets a caller stream an array it never
// holds whole.
func NPYHeader(shape ...int) []byte { return npyHeaderOf("<f8", shape...) }

// npyHeaderOf is NPYHeader for any element type descr ("<f8", "<f4" …).
func npyHeaderOf(descr string, shape ...int) []byte {
	dims := make([]string, len(shape))
	for i, s := range shape {
		dims[i] = strconv.Itoa(s)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	// Pad with spaces and a final newline so that the data starts at a
	// multiple of 64 bytes.
	major, lenBytes := byte(1), 2
	if len(header)+1+10 >= 65536 {
		major, lenBytes = 2, 4
	}
	pre := len(npyMagic) + 2 + lenBytes
	total := (pre + len(header) + 1 + 63) / 64 * 64
	header += strings.Repeat(" ", total-pre-len(header)-1) + "\n"
	b := append([]byte(npyMagic), major, 0)
	if lenBytes == 2 {
		b = binary.LittleEndian.AppendUint16(b, uint16(len(header)))
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(len(header)))
	}
	return append(b, header...)
}

// WriteFloat64s writes data as little-endian float64 values, as WriteNPY
// writes an array's values after its header.
func WriteFloat64s(w io.Writer, data []float64) error {
	var buf [8 * 512]byte
	for len(data) > 0 {
		k := min(len(data), 512)
		for i, v := range data[:k] {
			binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
		}
		if _, err := w.Write(buf[:8*k]); err != nil {
			return err
		}
		data = data[k:]
	}
	return nil
}

// ReadNPY reads a C-order .npy array and returns its values as float64 with
// its shape, of any rank. Little-endian float64, float32, int64 and int32
// data and uint8 and int8 data (images) are accepted (the others are
// converted to float64). Malformed input gives an
// error saying what is wrong, never a panic.
func ReadNPY(r io.Reader) (data []float64, shape []int, err error) {
	var pre [8]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, nil, errors.New("not a .npy file: too short")
	}
	if string(pre[:6]) != npyMagic {
		return nil, nil, errors.New("not a .npy file: bad magic string (save it with numpy.save)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, errors.New("truncated .npy header")
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, nil, errors.New("truncated .npy header")
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
		if hlen > 1<<20 {
			return nil, nil, fmt.Errorf(".npy header of %d bytes is implausibly long", hlen)
		}
	default:
		return nil, nil, fmt.Errorf("unsupported .npy format version %d.%d", pre[6], pre[7])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return nil, nil, errors.New("truncated .npy header")
	}
	h, err := parseNPYHeader(string(hb))
	if err != nil {
		return nil, nil, fmt.Errorf("bad .npy header: %w", err)
	}
	if h.fortran {
		return nil, nil, errors.New("Fortran-order .npy arrays are not supported; save a C-order copy (numpy.ascontiguousarray)")
	}
	var size int
	var conv func([]byte) float64
	switch h.descr {
	case "<f8":
		size, conv = 8, func(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }
	case "<f4":
		size, conv = 4, func(b []byte) float64 { return float64(math.Float32frombits(binary.LittleEndian.Uint32(b))) }
	case "<i8":
		size, conv = 8, func(b []byte) float64 { return float64(int64(binary.LittleEndian.Uint64(b))) }
	case "<i4":
		size, conv = 4, func(b []byte) float64 { return float64(int32(binary.LittleEndian.Uint32(b))) }
	case "|u1", "<u1":
		size, conv = 1, func(b []byte) float64 { return float64(b[0]) }
	case "|i1", "<i1":
		size, conv = 1, func(b []byte) float64 { return float64(int8(b[0])) }
	default:
		return nil, nil, fmt.Errorf("unsupported .npy dtype %q; save the array as float64 (x.astype(numpy.float64))", h.descr)
	}
	n := 1
	for _, s := range h.shape {
		if s < 0 {
			return nil, nil, fmt.Errorf("negative dimension in .npy shape %v", h.shape)
		}
		if s != 0 && n > maxNPYElems/s {
			return nil, nil, fmt.Errorf(".npy shape %v is too large", h.shape)
		}
		n *= s
	}
	raw, err := io.ReadAll(io.LimitReader(r, int64(n*size)+1))
	if err != nil {
		return nil, nil, err
	}
	if len(raw) < n*size {
		return nil, nil, fmt.Errorf("truncated .npy data: shape %v needs %d bytes, file has %d", h.shape, n*size, len(raw))
	}
	if len(raw) > n*size {
		return nil, nil, fmt.Errorf(".npy file has more data than its shape %v describes", h.shape)
	}
	data = make([]float64, n)
	for i := range data {
		data[i] = conv(raw[i*size:])
	}
	return data, h.shape, nil
}

type npyHeader struct {
	descr   string
	fortran bool
	shape   []int
}

// parseNPYHeader parses the Python dict literal of a .npy header:
// {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }.
func parseNPYHeader(s string) (npyHeader, error) {
	var h npyHeader
	p := &pyLex{s: strings.TrimRight(s, " \n\x00")}
	if !p.eat('{') {
		return h, errors.New("want a dict")
	}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return h, err
		}
		if !p.eat(':') {
			return h, fmt.Errorf("want ':' after %q", key)
		}
		switch key {
		case "descr":
			if h.descr, err = p.str(); err != nil {
				return h, err
			}
		case "fortran_order":
			if h.fortran, err = p.boolean(); err != nil {
				return h, err
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return h, err
			}
		default:
			return h, fmt.Errorf("unknown key %q", key)
		}
		seen[key] = true
		if !p.eat(',') {
			p.space()
			if !p.eat('}') {
				return h, errors.New("want ',' or '}'")
			}
			break
		}
	}
	p.space()
	if p.i != len(p.s) {
		return h, errors.New("trailing text after the dict")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

// pyLex scans the small subset of Python literals a .npy header uses.
type pyLex struct {
	s string
	i int
}

func (p *pyLex) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

func (p *pyLex) eat(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *pyLex) str() (string, error) {
	p.space()
	if p.i >= len(p.s) || (p.s[p.i] != '\'' && p.s[p.i] != '"') {
		return "", errors.New("want a quoted string")
	}
	q := p.s[p.i]
	end := strings.IndexByte(p.s[p.i+1:], q)
	if end < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+end]
	p.i += end + 2
	return v, nil
}

func (p *pyLex) boolean() (bool, error) {
	p.space()
	switch {
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	}
	return false, errors.New("want True or False")
}

func (p *pyLex) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("want a shape tuple")
	}
	shape := []int{}
	for {
		if p.eat(')') {
			return shape, nil
		}
		p.space()
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		if j == p.i || j-p.i > 15 {
			return nil, errors.New("want a non-negative integer in the shape")
		}
		v, _ := strconv.Atoi(p.s[p.i:j])
		shape = append(shape, v)
		p.i = j
		if len(shape) > 32 {
			return nil, errors.New("shape has too many dimensions")
		}
		if !p.eat(',') {
			if !p.eat(')') {
				return nil, errors.New("want ',' or ')' in the shape")
			}
			return shape, nil
		}
	}
}
