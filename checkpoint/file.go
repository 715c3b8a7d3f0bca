// Package checkpoint saves and restores a learnable energy together with its
// training state, in one file, and registers the energy type "checkpoint"
// that loads such a file as an energy.
//
// # What a checkpoint holds
//
// A File holds the [energy] table that rebuilds the model (its type and
// keys), the model's flat parameter vector, the number of training steps
// done, the [optimizer] table and its state (step counter and moment
// vectors), any other named float arrays (an objective's replay buffer, NCE's
// log Z …), named random-stream states (see rng.Stream.State), and free-text
// metadata. Read gives back exactly what Write was given: every float64 is
// stored as its bit pattern, so −0, subnormals, infinities and NaN payloads
// survive, and a resumed run continues bit-identically.
//
// # File format (version 1)
//
// All integers and arrays are little-endian, whatever the machine:
//
//	magic     8 bytes   "EBMCKPT\x00"
//	version   uint32    1
//	hlen      uint32    length of the header in bytes
//	header    hlen bytes of JSON (below)
//	arrays    the arrays' values, 8 bytes each, in the header's order, back to back
//	checksum  uint32    CRC-32C (Castagnoli) of every byte before it
//
// The header is a JSON object:
//
//	"energy"      the [energy] table as TOML text (TOML keeps integers and
//	              floats apart, so the table rebuilds the same energy)
//	"optimizer"   the [optimizer] table as TOML text; absent when none
//	"step"        training steps done
//	"opt_step"    the optimizer's step counter; present exactly when the
//	              optimizer state is saved
//	"arrays"      one entry per stored array, in file order: {"section",
//	              "name", "kind", "len"}; section is "params" (exactly one,
//	              named "params"), "optimizer" (a moment vector), "array"
//	              (File.Arrays) or "rng" (File.RNG); kind is "float64" for
//	              all but the rng section, whose kind is "uint64"
//	"meta"        File.Meta, a string → string object; may be absent
//	"tables"      File.Tables: more tables by name, each as TOML text (a
//	              training run stores its [objective], [data] and [train]
//	              tables, so --resume can tell a changed config); may be absent
//	"goarch",
//	"byte_order"  the writer's GOARCH and "little-endian", for information only
//
// Readers ignore header fields they do not know; a change that readers must
// understand increases the version, and Read refuses versions newer than its
// own. Read checks the magic bytes, the version, the length, the checksum and
// the consistency of the header with the data, and reports a problem as an
// error naming the file; it never panics, whatever the input.
package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
	"github.com/goebm/ebm/fileio"
	"github.com/goebm/ebm/optim"
)

// Magic is the first 8 bytes of every checkpoint file.
const Magic = "EBMCKPT\x00"

// energyType is the name the checkpoint energy is registered under; a
// checkpoint never stores it as its own energy (that would load itself).
const energyType = "checkpoint"

// Version is the format version Write produces and the newest Read accepts.
const Version = 1

// File is one checkpoint: a learnable energy and its training state.
type File struct {
	Energy    map[string]any       // the [energy] table (type + keys), enough to rebuild it
	Params    []float64            // the energy's flat parameter vector
	Step      int64                // training steps done
	Optimizer map[string]any       // the [optimizer] table (type + keys); may be nil
	OptState  *optim.State         // the optimizer's state; may be nil
	Arrays    map[string][]float64 // other named float state (an objective's replay buffer, log Z …)
	RNG       map[string][]uint64  // named random-stream states (rng.Stream.State)
	Meta      map[string]string    // free text (creation time, config hash …)
	// Tables are more config tables by name (a training run's "objective",
	// "data" and "train"); may be nil. Files written before tables existed
	// read back with an empty map.
	Tables map[string]map[string]any
}

// Sections of the array list.
const (
	secParams    = "params"
	secOptimizer = "optimizer"
	secArray     = "array"
	secRNG       = "rng"
)

// header is the JSON header of a checkpoint file.
type header struct {
	Energy    *string           `json:"energy"`
	Optimizer *string           `json:"optimizer,omitempty"`
	Step      int64             `json:"step"`
	OptStep   *int64            `json:"opt_step,omitempty"`
	Arrays    []arrayInfo       `json:"arrays"`
	Meta      map[string]string `json:"meta,omitempty"`
	Tables    map[string]string `json:"tables,omitempty"`
	GOARCH    string            `json:"goarch,omitempty"`
	ByteOrder string            `json:"byte_order,omitempty"`
}

// arrayInfo describes one stored array.
type arrayInfo struct {
	Section string `json:"section"`
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Len     int64  `json:"len"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// prefixLen is the size of magic, version and header length.
const prefixLen = len(Magic) + 4 + 4

// Write saves f to path atomically (through fileio.WriteFile: readers see
// the old file or the complete new one). f.Energy must be a table with a
// "type"; names of arrays, streams and metadata must be valid UTF-8.
func Write(path string, f *File) error {
	data, err := marshal(f)
	if err != nil {
		return fmt.Errorf("checkpoint %s: %w", path, err)
	}
	return fileio.WriteFileBytes(path, data)
}

// marshal encodes f in the checkpoint format.
func marshal(f *File) ([]byte, error) {
	if f == nil {
		return nil, errors.New("nothing to write (nil File)")
	}
	h := header{Step: f.Step, Meta: f.Meta, GOARCH: runtime.GOARCH, ByteOrder: "little-endian"}
	if f.Step < 0 {
		return nil, fmt.Errorf("step must be >= 0, got %d", f.Step)
	}
	if t, ok := f.Energy["type"].(string); !ok || t == "" {
		return nil, errors.New(`the energy table needs a "type" naming the energy`)
	} else if t == energyType {
		return nil, errors.New(`the energy table must name the model's own type, not "checkpoint"`)
	}
	et, err := encodeTable(f.Energy)
	if err != nil {
		return nil, fmt.Errorf("energy table: %w", err)
	}
	h.Energy = &et
	if f.Optimizer != nil {
		ot, err := encodeTable(f.Optimizer)
		if err != nil {
			return nil, fmt.Errorf("optimizer table: %w", err)
		}
		h.Optimizer = &ot
	}
	for _, k := range slices.Sorted(maps.Keys(f.Tables)) {
		if k == "" || !utf8.ValidString(k) {
			return nil, fmt.Errorf("table name %q: names must be non-empty valid UTF-8", k)
		}
		t, err := encodeTable(f.Tables[k])
		if err != nil {
			return nil, fmt.Errorf("table %q: %w", k, err)
		}
		if h.Tables == nil {
			h.Tables = map[string]string{}
		}
		h.Tables[k] = t
	}
	for k, v := range f.Meta {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, fmt.Errorf("meta %q: keys and values must be valid UTF-8", k)
		}
	}

	var floats [][]float64
	var words [][]uint64
	add := func(sec, name string, n int) error {
		if name == "" || !utf8.ValidString(name) {
			return fmt.Errorf("%s name %q: names must be non-empty valid UTF-8", sec, name)
		}
		kind := "float64"
		if sec == secRNG {
			kind = "uint64"
		}
		h.Arrays = append(h.Arrays, arrayInfo{Section: sec, Name: name, Kind: kind, Len: int64(n)})
		return nil
	}
	add(secParams, "params", len(f.Params))
	floats = append(floats, f.Params)
	if f.OptState != nil {
		if f.OptState.Step < 0 {
			return nil, fmt.Errorf("optimizer state: step must be >= 0, got %d", f.OptState.Step)
		}
		s := f.OptState.Step
		h.OptStep = &s
		for _, k := range slices.Sorted(maps.Keys(f.OptState.Vectors)) {
			if err := add(secOptimizer, k, len(f.OptState.Vectors[k])); err != nil {
				return nil, err
			}
			floats = append(floats, f.OptState.Vectors[k])
		}
	}
	for _, k := range slices.Sorted(maps.Keys(f.Arrays)) {
		if err := add(secArray, k, len(f.Arrays[k])); err != nil {
			return nil, err
		}
		floats = append(floats, f.Arrays[k])
	}
	for _, k := range slices.Sorted(maps.Keys(f.RNG)) {
		if err := add(secRNG, k, len(f.RNG[k])); err != nil {
			return nil, err
		}
		words = append(words, f.RNG[k])
	}
	hj, err := json.Marshal(&h)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if uint64(len(hj)) > math.MaxUint32 {
		return nil, fmt.Errorf("header of %d bytes is too large", len(hj))
	}
	size := prefixLen + len(hj) + 4
	for _, a := range h.Arrays {
		size += 8 * int(a.Len)
	}
	buf := make([]byte, 0, size)
	buf = append(buf, Magic...)
	buf = binary.LittleEndian.AppendUint32(buf, Version)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(hj)))
	buf = append(buf, hj...)
	for _, a := range floats {
		for _, v := range a {
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
		}
	}
	for _, a := range words {
		for _, v := range a {
			buf = binary.LittleEndian.AppendUint64(buf, v)
		}
	}
	buf = binary.LittleEndian.AppendUint32(buf, crc32.Checksum(buf, castagnoli))
	return buf, nil
}

// encodeTable renders a table as TOML text that decodes back to it.
func encodeTable(t map[string]any) (string, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(t); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Read loads the checkpoint at path. Every error names the file and says
// what is wrong: not a checkpoint ("not an ebm checkpoint"), a format
// version newer than this program's, a truncated file, a checksum mismatch
// ("corrupted"), or a header inconsistent with the data. The maps of the
// returned File (Arrays, RNG, Meta, Tables, and OptState.Vectors when
// OptState is set) are never nil; Optimizer and OptState are nil when not saved.
func Read(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read checkpoint: %w", err)
	}
	return decode(data, path)
}

// decode parses a checkpoint held in data; name is the file name for messages.
func decode(data []byte, name string) (*File, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: "+format, append([]any{name}, args...)...)
	}
	if len(data) < len(Magic) {
		if len(data) > 0 && strings.HasPrefix(Magic, string(data)) {
			return nil, fail("truncated checkpoint: %d bytes", len(data))
		}
		return nil, fail("not an ebm checkpoint (too short to hold the magic bytes %q)", Magic)
	}
	if string(data[:len(Magic)]) != Magic {
		return nil, fail("not an ebm checkpoint (wrong magic bytes %q, want %q)", data[:len(Magic)], Magic)
	}
	if len(data) < prefixLen+4 {
		return nil, fail("truncated checkpoint: %d bytes, too short for the fixed fields", len(data))
	}
	version := binary.LittleEndian.Uint32(data[8:])
	if version > Version {
		return nil, fail("checkpoint format version %d is newer than this program reads (%d); use a newer ebm", version, Version)
	}
	if version == 0 {
		return nil, fail("corrupted checkpoint: format version 0 does not exist")
	}
	hlen := uint64(binary.LittleEndian.Uint32(data[12:]))
	if uint64(prefixLen)+hlen+4 > uint64(len(data)) {
		if crcOK(data) {
			return nil, fail("corrupted checkpoint: header length %d exceeds the file size %d", hlen, len(data))
		}
		return nil, fail("truncated or corrupted checkpoint: the header (%d bytes) does not fit in the file (%d bytes)", hlen, len(data))
	}
	hbytes := data[prefixLen : prefixLen+int(hlen)]
	var h header
	herr := json.Unmarshal(hbytes, &h)
	// With a readable header, a short or long file is reported as such; the
	// checksum comes next, before any finer check of the header.
	want, sizesOK := uint64(0), false
	if herr == nil {
		want, sizesOK = h.size(hlen, len(data))
		if sizesOK && want < uint64(len(data)) && crcOKAt(data, want) {
			return nil, fail("corrupted checkpoint: %d bytes of trailing data after the checksum", uint64(len(data))-want)
		}
		if sizesOK && want > uint64(len(data)) && !crcOK(data) {
			return nil, fail("truncated checkpoint: %d bytes, the header describes %d", len(data), want)
		}
	}
	if !crcOK(data) {
		return nil, fail("corrupted checkpoint (checksum mismatch)")
	}
	if herr != nil {
		return nil, fail("invalid checkpoint header: %v", herr)
	}
	if !sizesOK {
		return nil, fail("invalid checkpoint header: an array length is negative or larger than the file")
	}
	if want != uint64(len(data)) {
		return nil, fail("invalid checkpoint: the header describes %d bytes but the file has %d", want, len(data))
	}
	f, err := h.file(data[prefixLen+int(hlen) : len(data)-4])
	if err != nil {
		return nil, fail("invalid checkpoint header: %v", err)
	}
	return f, nil
}

// size returns the file size the header describes; ok is false when an
// array length is negative or could not fit in a file of n bytes.
func (h *header) size(hlen uint64, n int) (size uint64, ok bool) {
	size = uint64(prefixLen) + hlen + 4
	for _, a := range h.Arrays {
		if a.Len < 0 || uint64(a.Len) > uint64(n)/8 {
			return 0, false
		}
		size += 8 * uint64(a.Len)
		if size > 1<<62 { // cannot overflow below: each term is at most n
			return 0, false
		}
	}
	return size, true
}

// crcOK checks the trailing checksum of data.
func crcOK(data []byte) bool { return crcOKAt(data, uint64(len(data))) }

// crcOKAt checks the checksum of data[:n−4] stored at data[n−4:n].
func crcOKAt(data []byte, n uint64) bool {
	if n < 4 || n > uint64(len(data)) {
		return false
	}
	return crc32.Checksum(data[:n-4], castagnoli) == binary.LittleEndian.Uint32(data[n-4:])
}

// file checks the header and builds the File from the array bytes.
func (h *header) file(body []byte) (*File, error) {
	f := &File{Step: h.Step, Arrays: map[string][]float64{}, RNG: map[string][]uint64{}, Meta: map[string]string{}, Tables: map[string]map[string]any{}}
	if h.Step < 0 {
		return nil, fmt.Errorf("step %d < 0", h.Step)
	}
	if h.Energy == nil {
		return nil, errors.New(`no "energy" table`)
	}
	var err error
	if f.Energy, err = decodeTable(*h.Energy); err != nil {
		return nil, fmt.Errorf("energy table: %w", err)
	}
	if t, ok := f.Energy["type"].(string); !ok || t == "" {
		return nil, errors.New(`the energy table has no "type"`)
	}
	if h.Optimizer != nil {
		if f.Optimizer, err = decodeTable(*h.Optimizer); err != nil {
			return nil, fmt.Errorf("optimizer table: %w", err)
		}
	}
	if h.OptStep != nil {
		if *h.OptStep < 0 {
			return nil, fmt.Errorf("optimizer step %d < 0", *h.OptStep)
		}
		f.OptState = &optim.State{Step: *h.OptStep, Vectors: map[string][]float64{}}
	}
	maps.Copy(f.Meta, h.Meta)
	for k, text := range h.Tables {
		if f.Tables[k], err = decodeTable(text); err != nil {
			return nil, fmt.Errorf("table %q: %w", k, err)
		}
	}
	params := 0
	seen := map[string]bool{}
	for _, a := range h.Arrays {
		want := "float64"
		if a.Section == secRNG {
			want = "uint64"
		}
		key := a.Section + "\x00" + a.Name
		switch {
		case a.Section != secParams && a.Section != secOptimizer && a.Section != secArray && a.Section != secRNG:
			return nil, fmt.Errorf("array %q: unknown section %q", a.Name, a.Section)
		case a.Kind != want:
			return nil, fmt.Errorf("%s array %q: kind %q, want %q", a.Section, a.Name, a.Kind, want)
		case a.Name == "":
			return nil, fmt.Errorf("%s array with an empty name", a.Section)
		case seen[key]:
			return nil, fmt.Errorf("%s array %q appears twice", a.Section, a.Name)
		case a.Section == secParams && a.Name != "params":
			return nil, fmt.Errorf("params array named %q, want \"params\"", a.Name)
		case a.Section == secOptimizer && f.OptState == nil:
			return nil, fmt.Errorf("optimizer vector %q without an optimizer step (opt_step)", a.Name)
		}
		seen[key] = true
		n := int(a.Len) // checked against the file size by decode
		raw := body[:8*n]
		body = body[8*n:]
		if a.Section == secRNG {
			w := make([]uint64, n)
			for i := range w {
				w[i] = binary.LittleEndian.Uint64(raw[8*i:])
			}
			f.RNG[a.Name] = w
			continue
		}
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:]))
		}
		switch a.Section {
		case secParams:
			f.Params = v
			params++
		case secOptimizer:
			f.OptState.Vectors[a.Name] = v
		default:
			f.Arrays[a.Name] = v
		}
	}
	if params != 1 {
		return nil, errors.New(`no "params" array`)
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("%d bytes of data not described by the header", len(body))
	}
	return f, nil
}

// decodeTable parses TOML text into a table.
func decodeTable(text string) (map[string]any, error) {
	m := map[string]any{}
	if _, err := toml.Decode(text, &m); err != nil {
		return nil, errors.New(strings.ReplaceAll(err.Error(), "\n", " "))
	}
	return m, nil
}
