package runner

import (
	"errors"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestSyntaxLine: a syntax error is reported on the line that holds it.
// The parser alone says line 3 for an unterminated "[energy" on line 2 (it
// has read the newline), and line 4 of a 3-line file for "[sampler" at
// the end; errors inside a line keep their line. A failure sends users to
// the wrong line of their config.
func TestSyntaxLine(t *testing.T) {
	for _, c := range []struct {
		src    string
		parser int // what Position.Line says, to show the premise
		want   int
	}{
		{"name = \"x\"\n[energy\ntype = \"gaussian\"\n\n", 3, 2},
		{"[energy]\ntype = \"gaussian\"\n[sampler\n", 4, 3},
		{"[energy]\ntype = \"gaussian\"\n[sampler", 3, 3},
		{"[energy]\ntype = \"gaussian\"\n[sampler]]\n", 3, 3},
		{"a = \"abc\nb = 1\n", 1, 1},
		{"a = [1,\n2\n", 2, 2},
		{"a = 1\nb = = 2\n", 2, 2},
	} {
		var m map[string]any
		_, err := toml.Decode(c.src, &m)
		var pe toml.ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("%q: error %v, want a toml.ParseError", c.src, err)
		}
		if pe.Position.Line != c.parser {
			t.Errorf("%q: premise: the parser says line %d, the table says %d (toml changed?)", c.src, pe.Position.Line, c.parser)
		}
		if got := syntaxLine([]byte(c.src), pe); got != c.want {
			t.Errorf("%q (%s): line %d, want %d", c.src, pe.Message, got, c.want)
		}
	}
	// A position out of range keeps the parser's line.
	if got := syntaxLine([]byte("a"), toml.ParseError{Position: toml.Position{Line: 7, Start: 9}}); got != 7 {
		t.Errorf("out-of-range Start: line %d, want 7", got)
	}
}
