package fileio

// The safetensors format (https://github.com/huggingface/safetensors):
//
//	N        uint64, little-endian: the length of the header
//	header   N bytes of JSON: {"NAME": {"dtype": "F32", "shape": [2, 3],
//	         "data_offsets": [BEGIN, END]}, …, "__metadata__": {"k": "v"}},
//	         padded with spaces
//	buffer   the tensors' bytes, little-endian, C order; tensor NAME is
//	         buffer[BEGIN:END]
//
// The reader is strict, as the format's own is: the buffer must be covered
// exactly by the tensors (no holes, no overlaps), every size must match its
// shape, names are unique, and the metadata is a string → string object.
// Files come from users, so any malformed input gives an error, never a
// panic or an allocation beyond the input's size.

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
)

// Tensor is one named array of a weights file (safetensors or npz): its
// values in C order, widened to float64, its shape, and the element type it
// has (or gets) in the file: "F64" or "F32".
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  []float64
}

// safetensors element types ebm reads and writes, with their sizes.
var stSizes = map[string]int{"F64": 8, "F32": 4}

// maxSTHeader bounds the JSON header, as the reference implementation does
// (100 MB).
const maxSTHeader = 100 << 20

// stMetadata is the header key of the string → string metadata.
const stMetadata = "__metadata__"

// WriteSafetensors writes tensors, in the order given, and the metadata
// (may be nil) in the safetensors format. The header's keys come out
// sorted, so the same tensors always give the same bytes. F32 tensors are
// rounded to float32. It returns an error for a duplicate or reserved
// name, an unknown dtype or a shape that does not match the data.
func WriteSafetensors(w io.Writer, tensors []Tensor, meta map[string]string) error {
	type entry struct {
		DType   string   `json:"dtype"`
		Shape   []int    `json:"shape"`
		Offsets [2]int64 `json:"data_offsets"`
	}
	hdr := map[string]any{}
	if len(meta) > 0 {
		hdr[stMetadata] = meta
	}
	var off int64
	for _, t := range tensors {
		if err := checkTensor(t); err != nil {
			return err
		}
		if _, dup := hdr[t.Name]; dup || t.Name == stMetadata {
			return fmt.Errorf("tensor name %q is used twice or reserved", t.Name)
		}
		n := int64(len(t.Data) * stSizes[t.DType])
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		hdr[t.Name] = entry{t.DType, shape, [2]int64{off, off + n}}
		off += n
	}
	js, err := json.Marshal(hdr)
	if err != nil {
		return err
	}
	// Pad with spaces so that the buffer starts 8-byte aligned.
	js = append(js, bytes.Repeat([]byte{' '}, (8-len(js)%8)%8)...)
	var pre [8]byte
	binary.LittleEndian.PutUint64(pre[:], uint64(len(js)))
	if _, err := w.Write(pre[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, t := range tensors {
		if err := writeValues(w, t.DType, t.Data); err != nil {
			return err
		}
	}
	return nil
}

// checkTensor checks a tensor about to be written.
func checkTensor(t Tensor) error {
	if _, ok := stSizes[t.DType]; !ok {
		return fmt.Errorf("tensor %q: unknown dtype %q (want F64 or F32)", t.Name, t.DType)
	}
	n := 1
	for _, s := range t.Shape {
		if s < 0 {
			return fmt.Errorf("tensor %q: negative dimension in shape %v", t.Name, t.Shape)
		}
		n *= s
	}
	if n != len(t.Data) {
		return fmt.Errorf("tensor %q: shape %v holds %d values, data has %d", t.Name, t.Shape, n, len(t.Data))
	}
	if t.Name == "" {
		return errors.New("a tensor needs a name")
	}
	return nil
}

// writeValues writes data little-endian as float64 ("F64") or float32
// ("F32").
func writeValues(w io.Writer, dtype string, data []float64) error {
	if dtype == "F64" {
		return WriteFloat64s(w, data)
	}
	var buf [4 * 1024]byte
	for len(data) > 0 {
		k := min(len(data), 1024)
		for i, v := range data[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(float32(v)))
		}
		if _, err := w.Write(buf[:4*k]); err != nil {
			return err
		}
		data = data[k:]
	}
	return nil
}

// stEntry is one tensor's header entry as read.
type stEntry struct {
	DType   string  `json:"dtype"`
	Shape   []int64 `json:"shape"`
	Offsets []int64 `json:"data_offsets"`
}

// ReadSafetensors parses a whole safetensors file held in b and returns
// its tensors in buffer order (F32 values widened to float64) and its
// metadata (nil when the file has none). Malformed input is an error
// saying what is wrong.
func ReadSafetensors(b []byte) ([]Tensor, map[string]string, error) {
	if len(b) < 8 {
		return nil, nil, errors.New("not a safetensors file: shorter than its 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxSTHeader {
		return nil, nil, fmt.Errorf("not a safetensors file: header length %d is implausibly large", n)
	}
	if n > uint64(len(b)-8) {
		return nil, nil, fmt.Errorf("truncated safetensors file: the header needs %d bytes, the file has %d after the length", n, len(b)-8)
	}
	hdr, buf := b[8:8+n], b[8+n:]
	if t := bytes.TrimLeft(hdr, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, nil, errors.New("not a safetensors file: the header is not a JSON object")
	}
	entries, names, meta, err := parseSTHeader(hdr)
	if err != nil {
		return nil, nil, fmt.Errorf("bad safetensors header: %w", err)
	}
	tensors := make([]Tensor, 0, len(names))
	type span struct {
		begin, end int64
		name       string
	}
	spans := make([]span, 0, len(names))
	for _, name := range names {
		e := entries[name]
		size, ok := stSizes[e.DType]
		if !ok {
			return nil, nil, fmt.Errorf("tensor %q: dtype %q is not supported (ebm reads F32 and F64; convert the tensor with .double() or .float())", name, e.DType)
		}
		if e.Shape == nil || len(e.Offsets) != 2 {
			return nil, nil, fmt.Errorf("tensor %q: needs \"dtype\", \"shape\" and two \"data_offsets\"", name)
		}
		count := int64(1)
		for _, s := range e.Shape {
			if s < 0 {
				return nil, nil, fmt.Errorf("tensor %q: negative dimension in shape %v", name, e.Shape)
			}
			if s != 0 && count > int64(len(buf))/s {
				count = -1 // more values than the buffer holds
				break
			}
			count *= s
		}
		begin, end := e.Offsets[0], e.Offsets[1]
		if begin < 0 || end < begin || end > int64(len(buf)) {
			return nil, nil, fmt.Errorf("tensor %q: data_offsets [%d, %d] lie outside the %d-byte buffer (truncated file?)", name, begin, end, len(buf))
		}
		if count < 0 || end-begin != count*int64(size) {
			return nil, nil, fmt.Errorf("tensor %q: shape %v of %s needs a different number of bytes than data_offsets [%d, %d] give", name, e.Shape, e.DType, begin, end)
		}
		shape := make([]int, len(e.Shape))
		for i, s := range e.Shape {
			shape[i] = int(s)
		}
		tensors = append(tensors, Tensor{Name: name, DType: e.DType, Shape: shape, Data: decodeValues(e.DType, buf[begin:end])})
		spans = append(spans, span{begin, end, name})
	}
	order := make([]int, len(spans))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		if c := cmpInt64(spans[i].begin, spans[j].begin); c != 0 {
			return c
		}
		return cmpInt64(spans[i].end, spans[j].end)
	})
	var at int64
	sorted := make([]Tensor, 0, len(order))
	for _, i := range order {
		s := spans[i]
		if s.begin != at {
			if s.begin < at {
				return nil, nil, fmt.Errorf("tensor %q: its bytes overlap another tensor's", s.name)
			}
			return nil, nil, fmt.Errorf("bytes [%d, %d) of the buffer belong to no tensor", at, s.begin)
		}
		at = s.end
		sorted = append(sorted, tensors[i])
	}
	if at != int64(len(buf)) {
		return nil, nil, fmt.Errorf("bytes [%d, %d) of the buffer belong to no tensor", at, len(buf))
	}
	return sorted, meta, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// parseSTHeader decodes the header object, refusing duplicate names,
// unknown fields and trailing text. names keeps the header's order.
func parseSTHeader(hdr []byte) (entries map[string]stEntry, names []string, meta map[string]string, err error) {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	if _, err := dec.Token(); err != nil {
		return nil, nil, nil, err
	}
	entries = map[string]stEntry{}
	seenMeta := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, nil, err
		}
		name, _ := tok.(string)
		if _, dup := entries[name]; dup || (name == stMetadata && seenMeta) {
			return nil, nil, nil, fmt.Errorf("%q appears twice", name)
		}
		if name == stMetadata {
			seenMeta = true
			if err := dec.Decode(&meta); err != nil {
				return nil, nil, nil, fmt.Errorf("%s must be an object of strings: %v", stMetadata, err)
			}
			continue
		}
		if name == "" {
			return nil, nil, nil, errors.New("a tensor has an empty name")
		}
		raw := json.RawMessage{}
		if err := dec.Decode(&raw); err != nil {
			return nil, nil, nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		var e stEntry
		d := json.NewDecoder(bytes.NewReader(raw))
		d.DisallowUnknownFields()
		if err := d.Decode(&e); err != nil {
			return nil, nil, nil, fmt.Errorf("tensor %q: %v", name, err)
		}
		entries[name] = e
		names = append(names, name)
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, nil, err
	}
	if rest := strings.TrimSpace(string(hdr[dec.InputOffset():])); rest != "" {
		return nil, nil, nil, errors.New("text after the JSON object")
	}
	return entries, names, meta, nil
}

// decodeValues widens little-endian F64 or F32 bytes to float64.
func decodeValues(dtype string, b []byte) []float64 {
	if dtype == "F64" {
		out := make([]float64, len(b)/8)
		for i := range out {
			out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
		}
		return out
	}
	out := make([]float64, len(b)/4)
	for i := range out {
		out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:])))
	}
	return out
}

// ReadSafetensorsFile reads the safetensors file at path (see
// ReadSafetensors). Errors name the file.
func ReadSafetensorsFile(path string) ([]Tensor, map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	ts, meta, err := ReadSafetensors(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, meta, nil
}
