package checkpoint

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goebm/ebm/optim"
)

// TestRoundTrip: Read must return exactly what Write was given: floats bit
// for bit (−0, subnormals, ±Inf), integer keys as integers and float keys
// as floats (so a rebuilt energy decodes the same), every array, stream
// state and metadata entry. A failure means a resumed run would not
// continue from the saved state.
func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.ckpt")
	want := sampleFile()
	if !math.Signbit(want.Params[1]) || sameBits([]float64{0}, []float64{negZero}) {
		t.Fatal("the sample's −0 is +0, or sameBits cannot tell them apart: a lost sign would go unnoticed")
	}
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFiles(want, got); d != "" {
		t.Fatalf("round trip differs: %s", d)
	}
	if _, ok := got.Energy["dim"].(int64); !ok {
		t.Errorf("integer key came back as %T", got.Energy["dim"])
	}
	if _, ok := got.Energy["scale"].(float64); !ok {
		t.Errorf("float key 1.0 came back as %T", got.Energy["scale"])
	}

	// Optimizer state without vectors (sgd without momentum) keeps its step.
	plain := &File{Energy: map[string]any{"type": "quadtest"}, Optimizer: map[string]any{"type": "sgd"}, OptState: &optim.State{Step: 3}}
	if err := Write(path, plain); err != nil {
		t.Fatal(err)
	}
	if got, err = Read(path); err != nil || got.OptState == nil || got.OptState.Step != 3 || got.OptState.Vectors == nil {
		t.Fatalf("optimizer state without vectors came back as %+v (%v)", got.OptState, err)
	}

	// The minimal file: no optimizer, no extra state.
	min := &File{Energy: map[string]any{"type": "quadtest"}, Params: []float64{negZero}}
	if err := Write(path, min); err != nil {
		t.Fatal(err)
	}
	got, err = Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := diffFiles(min, got); d != "" || got.Optimizer != nil || got.OptState != nil || got.Arrays == nil || got.RNG == nil || got.Meta == nil {
		t.Fatalf("minimal file: %s; Optimizer %v, OptState %v, maps non-nil: %v %v %v",
			d, got.Optimizer, got.OptState, got.Arrays != nil, got.RNG != nil, got.Meta != nil)
	}
}

// TestFormat pins the documented layout: magic, version 1, header length,
// JSON header, little-endian arrays, CRC-32C. A failure means files written
// by this version would not match the package documentation (and other
// readers of it).
func TestFormat(t *testing.T) {
	f := &File{Energy: map[string]any{"type": "quadtest"}, Params: []float64{1.5}, RNG: map[string][]uint64{"s": {7, 9}}}
	data, err := marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:8]) != "EBMCKPT\x00" || binary.LittleEndian.Uint32(data[8:]) != 1 {
		t.Fatalf("prefix % x", data[:12])
	}
	hlen := int(binary.LittleEndian.Uint32(data[12:]))
	hdr := string(data[16 : 16+hlen])
	for _, w := range []string{`"energy":"type = \"quadtest\"\n"`, `"section":"params","name":"params","kind":"float64","len":1`,
		`"section":"rng","name":"s","kind":"uint64","len":2`, `"byte_order":"little-endian"`} {
		if !strings.Contains(hdr, w) {
			t.Errorf("header %s lacks %s", hdr, w)
		}
	}
	body := data[16+hlen:]
	wantBody := []byte{0, 0, 0, 0, 0, 0, 0xf8, 0x3f, 7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(body[:len(body)-4], wantBody) {
		t.Errorf("arrays % x, want % x", body[:len(body)-4], wantBody)
	}
	if !crcOK(data) {
		t.Error("the trailing CRC-32C does not match")
	}
}

// TestReadErrors: every damaged or foreign file is refused with an error
// naming the file and the problem, and never a panic. A failure means a
// bad file could load garbage parameters silently or crash the program.
func TestReadErrors(t *testing.T) {
	good, err := marshal(sampleFile())
	if err != nil {
		t.Fatal(err)
	}
	hlen := int(binary.LittleEndian.Uint32(good[12:]))
	check := func(what string, data []byte, want string) {
		t.Helper()
		_, err := decode(data, "m.ckpt")
		if err == nil {
			t.Errorf("%s: accepted", what)
			return
		}
		if !strings.HasPrefix(err.Error(), "m.ckpt: ") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %q, want the file name and %q", what, err, want)
		}
	}
	check("empty file", nil, "not an ebm checkpoint")
	check("a TOML file", []byte("[energy]\ntype = \"gaussian\"\n"), "not an ebm checkpoint")
	for n := 1; n < len(good); n++ {
		check(fmt.Sprintf("first %d bytes", n), good[:n], "truncated")
	}
	newer := bytes.Clone(good)
	binary.LittleEndian.PutUint32(newer[8:], 2)
	check("version 2", fixCRC(newer), "version 2 is newer")
	for i := 16 + hlen; i < len(good); i++ { // arrays and checksum
		bad := bytes.Clone(good)
		bad[i] ^= 0x10
		check(fmt.Sprintf("byte %d flipped", i), bad, "corrupted")
	}
	for i := 16; i < 16+hlen; i += 7 { // header: refused, whatever the message
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		if _, err := decode(bad, "m.ckpt"); err == nil {
			t.Errorf("header byte %d flipped: accepted", i)
		}
	}
	check("trailing data", append(bytes.Clone(good), 1, 2, 3), "trailing data")
	check("huge header length", fixCRC(append(bytes.Clone(good[:12]), 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0)), "corrupted")

	// Valid checksums, inconsistent headers.
	const e = `"energy":"type = \"quadtest\"\n"`
	p1 := `{"section":"params","name":"params","kind":"float64","len":1}`
	for _, c := range []struct {
		what, header string
		body         []uint64
		want         string
	}{
		{"not JSON", `{"energy":`, nil, "invalid checkpoint header"},
		{"no energy", `{"arrays":[` + p1 + `]}`, []uint64{0}, `no "energy"`},
		{"energy without type", `{"energy":"dim = 2","arrays":[` + p1 + `]}`, []uint64{0}, `no "type"`},
		{"energy not TOML", `{"energy":"type = ","arrays":[` + p1 + `]}`, []uint64{0}, "energy table"},
		{"no params", `{` + e + `,"arrays":[]}`, nil, `no "params"`},
		{"params twice", `{` + e + `,"arrays":[` + p1 + `,` + p1 + `]}`, []uint64{0, 0}, "twice"},
		{"unknown section", `{` + e + `,"arrays":[` + p1 + `,{"section":"x","name":"a","kind":"float64","len":0}]}`, []uint64{0}, `unknown section "x"`},
		{"wrong kind", `{` + e + `,"arrays":[{"section":"params","name":"params","kind":"uint64","len":1}]}`, []uint64{0}, `kind "uint64"`},
		{"opt vector without step", `{` + e + `,"arrays":[` + p1 + `,{"section":"optimizer","name":"m","kind":"float64","len":1}]}`, []uint64{0, 0}, "opt_step"},
		{"negative length", `{` + e + `,"arrays":[{"section":"params","name":"params","kind":"float64","len":-1}]}`, nil, "negative"},
		{"short body", `{` + e + `,"arrays":[{"section":"params","name":"params","kind":"float64","len":2}]}`, []uint64{0}, "describes"},
		{"long body", `{` + e + `,"arrays":[` + p1 + `]}`, []uint64{0, 0}, "describes"},
		{"negative step", `{` + e + `,"step":-4,"arrays":[` + p1 + `]}`, []uint64{0}, "step -4"},
	} {
		check(c.what, rawFile(1, c.header, c.body), c.want)
	}
	check("version 0", rawFile(0, `{}`, nil), "version 0")

	if _, err := Read(filepath.Join(t.TempDir(), "missing.ckpt")); err == nil || !strings.Contains(err.Error(), "missing.ckpt") {
		t.Errorf("missing file: %v", err)
	}
}

// TestWriteErrors: a File that could not be read back as written is
// refused with a message saying why, and the target is left alone. A
// failure means a checkpoint could be unusable only when it is needed.
func TestWriteErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.ckpt")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		f    *File
		want string
	}{
		{nil, "nil File"},
		{&File{Params: []float64{1}}, `"type"`},
		{&File{Energy: map[string]any{"type": "checkpoint", "path": "x"}}, `not "checkpoint"`},
		{&File{Energy: map[string]any{"type": "q"}, Step: -1}, "step"},
		{&File{Energy: map[string]any{"type": "q"}, Arrays: map[string][]float64{"": {1}}}, "name"},
		{&File{Energy: map[string]any{"type": "q"}, RNG: map[string][]uint64{"\xff": {1}}}, "UTF-8"},
		{&File{Energy: map[string]any{"type": "q"}, Meta: map[string]string{"k": "\xfe"}}, "UTF-8"},
		{&File{Energy: map[string]any{"type": "q", "bad": make(chan int)}}, "energy table"},
	} {
		err := Write(path, c.f)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
			t.Errorf("Write(%+v): error %v, want the path and %q", c.f, err, c.want)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("a refused Write changed the file to %q", b)
	}
}

// FuzzRead: decode must never panic, and whatever it accepts must survive
// a write/read round trip unchanged. Each input is also tried with its
// checksum repaired, so the fuzzer reaches the header checks behind it.
func FuzzRead(f *testing.F) {
	good, err := marshal(sampleFile())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:40])
	f.Add([]byte{})
	f.Add([]byte(Magic))
	f.Add(rawFile(1, `{"energy":"type = \"q\"","arrays":[{"section":"params","name":"params","kind":"float64","len":1}]}`, []uint64{1}))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, d := range [][]byte{data, fixCRC(data)} {
			cf, err := decode(d, "fuzz")
			if err != nil {
				continue
			}
			again, err := marshal(cf)
			if err != nil {
				continue // e.g. an energy table naming "checkpoint": refused on write
			}
			cf2, err := decode(again, "fuzz2")
			if err != nil {
				t.Fatalf("re-encoded checkpoint refused: %v", err)
			}
			if diff := diffFiles(cf, cf2); diff != "" {
				t.Fatalf("round trip of an accepted input differs: %s", diff)
			}
		}
	})
}
